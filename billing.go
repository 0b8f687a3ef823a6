package lambda

import (
	"context"
	"errors"
	"iter"
	"net/http"
)

// Usage is what the account used in the current billing period. The API
// writes amounts as strings ("$2,345.00", "42.3 GBh"); they arrive here
// exact, as Money and Quantity.
type Usage struct {
	PeriodStart      Date     `json:"period_start"`
	PeriodEnd        Date     `json:"period_end"`
	TotalExecutions  int64    `json:"total_executions"`
	GigabytesHour    Quantity `json:"gigabytes_hour"`
	CurrentMonthCost Money    `json:"current_month_cost"`
}

// Invoice is a bill for a past period.
type Invoice struct {
	ID     string        `json:"id"`
	Date   Date          `json:"date"` // a calendar date, not an instant
	Amount Money         `json:"amount"`
	Status InvoiceStatus `json:"status"`
	PDFURL string        `json:"pdf_url,omitempty"`
}

// InvoiceStatus says whether an invoice is settled.
type InvoiceStatus string

// Invoice statuses.
const (
	InvoiceStatusPaid InvoiceStatus = "paid"
	InvoiceStatusOpen InvoiceStatus = "open"
	InvoiceStatusVoid InvoiceStatus = "void"
)

// Estimate is the cost of the current period so far and its projection to
// the period's end.
type Estimate struct {
	PeriodStart   Date       `json:"period_start"`
	PeriodEnd     Date       `json:"period_end"`
	CurrentCost   Money      `json:"current_cost"`
	EstimatedCost Money      `json:"estimated_cost"`
	Breakdown     []CostItem `json:"breakdown"`
}

// CostItem is the cost of one category in an Estimate.
type CostItem struct {
	Category CostCategory `json:"category"`
	Amount   Money        `json:"amount"`
}

// CostCategory is what a CostItem pays for.
type CostCategory string

// Cost categories.
const (
	CostCategoryCompute   CostCategory = "compute"
	CostCategoryStorage   CostCategory = "storage"
	CostCategoryFunctions CostCategory = "functions"
	CostCategoryNetwork   CostCategory = "network"
)

// ListInvoicesOptions pages BillingService.ListInvoices.
type ListInvoicesOptions struct {
	ListOptions
}

// Usage fetches the current period's usage from /billing/usage. Platforms
// that predate that route answer 404 there and serve the same object, bare,
// at /usage: Usage then asks /usage, on every call that gets the 404. Any
// other error is returned as is.
func (s *BillingService) Usage(ctx context.Context, opts ...RequestOption) (*Usage, error) {
	u, err := get[Usage](ctx, clientOf(s), "/billing/usage", nil, opts)
	var e *Error
	if errors.As(err, &e) && e.HTTPStatus == http.StatusNotFound {
		u, err = get[Usage](ctx, clientOf(s), "/usage", nil, opts)
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ListInvoices fetches one page of invoices.
func (s *BillingService) ListInvoices(ctx context.Context, opts *ListInvoicesOptions, ro ...RequestOption) (*Page[Invoice], error) {
	return list[Invoice](ctx, clientOf(s), "/billing/invoices", opts, ro)
}

// AllInvoices iterates over every invoice, fetching pages as the loop needs
// them. opts is copied: changing it later has no effect.
// The list ends as page/limit lists with a pagination object do (see
// Paging in the package documentation): an item is never
// yielded twice, and a server that repeats or ignores paging ends the loop
// with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *BillingService) AllInvoices(ctx context.Context, opts *ListInvoicesOptions, ro ...RequestOption) iter.Seq2[Invoice, error] {
	return all(ctx, opts, s.ListInvoices, ro)
}

// GetInvoice fetches an invoice.
func (s *BillingService) GetInvoice(ctx context.Context, id string, opts ...RequestOption) (*Invoice, error) {
	if err := requireID("invoice", id); err != nil {
		return nil, err
	}
	return get[Invoice](ctx, clientOf(s), path("billing", "invoices", id), nil, opts)
}

// Estimate fetches the cost of the current period so far and its estimate
// for the whole period.
func (s *BillingService) Estimate(ctx context.Context, opts ...RequestOption) (*Estimate, error) {
	return get[Estimate](ctx, clientOf(s), "/billing/estimate", nil, opts)
}

// The checks below refuse answers that left out (or sent as null) a field
// the contract requires: a bill must never read as zero because a field
// went missing. The generic helpers run them (see checked), so that the
// error carries the response's HTTP status and request ID. A malformed value already fails to decode. Money is compared
// with the zero Money, not with IsZero, because "$0.00" is a real amount.

func (u *Usage) check() error {
	switch {
	case u.CurrentMonthCost == Money{}:
		return missingField("usage", "current_month_cost")
	case u.GigabytesHour.IsZero():
		return missingField("usage", "gigabytes_hour")
	}
	return nil
}

func (inv *Invoice) check() error {
	switch {
	case inv.Amount == Money{}:
		return missingField("invoice "+inv.ID, "amount")
	case inv.Date.IsZero():
		return missingField("invoice "+inv.ID, "date")
	}
	return nil
}

func (est *Estimate) check() error {
	switch {
	case est.CurrentCost == Money{}:
		return missingField("estimate", "current_cost")
	case est.EstimatedCost == Money{}:
		return missingField("estimate", "estimated_cost")
	case est.Breakdown == nil: // missing or null; [] is a breakdown with no items
		return missingField("estimate", "breakdown")
	}
	for _, item := range est.Breakdown {
		if item.Category == "" {
			return missingField("estimate", "category in an item of its breakdown")
		}
		if item.Amount == (Money{}) {
			return missingField("estimate", "the amount of "+string(item.Category))
		}
	}
	return nil
}

// missingField is the error of an answer that lacks field; what may
// quote the answer (an invoice's ID), so it is bounded.
func missingField(what, field string) error {
	return &Error{Code: CodeInvalidResponse, Message: truncateForError(what) + " has no " + field}
}
