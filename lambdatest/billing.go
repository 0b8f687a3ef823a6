package lambdatest

import (
	"fmt"
	"time"
)

type invoice struct {
	meta
	date   time.Time
	cents  int64
	status string
}

type wireInvoice struct {
	ID     string `json:"id"`
	Date   string `json:"date"`
	Amount string `json:"amount"`
	Status string `json:"status"`
	PDFURL string `json:"pdf_url"`
}

func (inv *invoice) view() wireInvoice {
	return wireInvoice{ID: inv.id, Date: inv.date.Format(time.DateOnly), Amount: money(inv.cents),
		Status: inv.status, PDFURL: "https://example.com/invoice/" + inv.date.Format("200601")}
}

type wireUsage struct {
	PeriodStart      string `json:"period_start"`
	PeriodEnd        string `json:"period_end"`
	TotalExecutions  int64  `json:"total_executions"`
	GigabytesHour    string `json:"gigabytes_hour"`
	CurrentMonthCost string `json:"current_month_cost"`
}

type wireCostItem struct {
	Category string `json:"category"`
	Amount   string `json:"amount"`
}

type wireEstimate struct {
	PeriodStart   string         `json:"period_start"`
	PeriodEnd     string         `json:"period_end"`
	CurrentCost   string         `json:"current_cost"`
	EstimatedCost string         `json:"estimated_cost"`
	Breakdown     []wireCostItem `json:"breakdown"`
}

// month returns the first and last day of t's month, in UTC.
func month(t time.Time) (time.Time, time.Time) {
	t = t.UTC()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first, first.AddDate(0, 1, -1)
}

// usage is the month's usage: fixed numbers (the API documentation's), so tests can
// compare them, plus what the account's instances add.
func (st *state) usage(now time.Time) wireUsage {
	first, last := month(now)
	cents := int64(234500) + int64(len(st.instances))*1250
	return wireUsage{PeriodStart: first.Format(time.DateOnly), PeriodEnd: last.Format(time.DateOnly),
		TotalExecutions: 524378, GigabytesHour: "42.3 GBh", CurrentMonthCost: money(cents)}
}

func (s *Server) billingUsage(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	return c.ok(st.usage(c.now))
}

// bareUsage is the older GET /usage: the same object with no envelope.
func (s *Server) bareUsage(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	return c.bare(200, st.usage(c.now))
}

func (s *Server) listInvoices(c *call) reply {
	p, e := c.parseListAsDocumented()
	if e != nil {
		return c.fail(e)
	}
	p.sort, p.order = "created_at", "desc" // newest invoice first
	st := s.st.lock(c.now)
	defer st.unlock()
	got, pg := page(filter(st.invoices, nil), func(inv *invoice) meta { return inv.meta }, (*invoice).view, p)
	return c.listAsDocumented(got, pg)
}

func (s *Server) getInvoice(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	inv, ok := st.invoices[c.id]
	if !ok {
		return c.fail(notFound("invoice", c.id))
	}
	return c.ok(inv.view())
}

func (s *Server) billingEstimate(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	first, last := month(c.now)
	compute := int64(180000) + int64(len(st.instances))*1250
	storage := int64(32050)
	for _, v := range st.volumes {
		storage += int64(v.sizeGB) * 10
	}
	items := []wireCostItem{
		{"compute", money(compute)}, {"storage", money(storage)},
		{"functions", money(21000 + int64(len(st.functions))*100)}, {"network", money(1450)},
	}
	current := compute + storage + 21000 + int64(len(st.functions))*100 + 1450
	return c.ok(wireEstimate{PeriodStart: first.Format(time.DateOnly), PeriodEnd: last.Format(time.DateOnly),
		CurrentCost: money(current), EstimatedCost: money(current * 3 / 2), Breakdown: items})
}

// seedInvoices adds the invoices of the three months before now: two paid
// and the latest open. The first is the API documentation's "$3,242.50".
func (st *state) seedInvoices(now time.Time) {
	first, _ := month(now)
	for i, cents := range []int64{324250, 289999, 1234567} {
		end := first.AddDate(0, -2+i, 0).AddDate(0, 0, -1) // the last day of a past month
		status := "paid"
		if i == 2 {
			status = "open"
		}
		m := st.newMeta("inv_", fmt.Sprintf("Invoice %s", end.Format("2006-01")), end)
		st.invoices[m.id] = &invoice{meta: m, date: end, cents: cents, status: status}
	}
}
