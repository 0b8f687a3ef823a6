package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// billingClock pins the simulator's clock for the billing tests, so that
// the periods and invoice dates they expect are the same on every day they
// run: mid-February of a leap year, whose period ends on the 29th and whose
// three invoices before it cross a year end.
var billingClock = lambdatest.WithClock(func() time.Time { return time.Date(2028, time.February, 15, 12, 0, 0, 0, time.UTC) })

// The billing period the simulator reports under billingClock.
var (
	billingPeriodStart = lambda.Date{Year: 2028, Month: time.February, Day: 1}
	billingPeriodEnd   = lambda.Date{Year: 2028, Month: time.February, Day: 29}
)

func wantSimUsage() *lambda.Usage {
	return &lambda.Usage{
		PeriodStart:      billingPeriodStart,
		PeriodEnd:        billingPeriodEnd,
		TotalExecutions:  524378,
		GigabytesHour:    lambda.Quantity{Value: 42.3, Unit: "GBh"},
		CurrentMonthCost: lambda.Money{Currency: "USD", Minor: 234500}, // "$2,345.00"
	}
}

func TestBillingUsage(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, billingClock)

	u, err := client.Billing.Usage(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, wantSimUsage(), u)
	assert.Equal(t, "$2,345.00", u.CurrentMonthCost.String())

	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/billing/usage", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Empty(t, r.Body)
}

func TestBillingUsageFallsBackOn404(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		times     int      // how many calls get the 404
		wantPaths []string // the requests of the two calls
	}{
		{"first call only: the next call tries the new route again", 1,
			[]string{"/v1/billing/usage", "/v1/usage", "/v1/billing/usage"}},
		{"every call", -1,
			[]string{"/v1/billing/usage", "/v1/usage", "/v1/billing/usage", "/v1/usage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t, billingClock)
			srv.InjectFault(lambdatest.Fault{Method: "GET", Path: "/v1/billing/usage", Status: http.StatusNotFound, Times: tt.times})
			ctx := testCtx(t)
			for range 2 {
				u, err := client.Billing.Usage(ctx)
				require.NoError(t, err)
				assert.Equal(t, wantSimUsage(), u, "the bare /usage answer decodes the same")
			}
			var paths []string
			for _, r := range srv.Requests() {
				assert.Equal(t, "GET", r.Method)
				paths = append(paths, r.Path)
			}
			assert.Equal(t, tt.wantPaths, paths)
		})
	}
}

func TestBillingUsageDoesNotFallBackOnOtherErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		want   error
	}{
		{http.StatusInternalServerError, lambda.ErrServer},
		{http.StatusServiceUnavailable, lambda.ErrUnavailable},
		{http.StatusForbidden, lambda.ErrForbidden},
		{http.StatusBadRequest, lambda.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			srv.InjectFault(lambdatest.Fault{Path: "/v1/billing/usage", Status: tt.status, Times: -1})
			u, err := client.Billing.Usage(testCtx(t))
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, u)
			assert.Empty(t, platformRequests(srv, "GET", "/v1/usage"), "no fallback on %d", tt.status)
			assert.NotEmpty(t, platformRequests(srv, "GET", "/v1/billing/usage"))
		})
	}
}

func TestBillingUsageFallbackErrorIsReturned(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	srv.InjectFault(lambdatest.Fault{Path: "/v1/billing/usage", Status: http.StatusNotFound})
	srv.InjectFault(lambdatest.Fault{Path: "/v1/usage", Status: http.StatusNotFound})
	_, err := client.Billing.Usage(testCtx(t))
	require.ErrorIs(t, err, lambda.ErrNotFound)
	assert.Len(t, srv.Requests(), 2)
}

// TestBillingMalformedAnswers serves amounts, quantities and dates the SDK
// must refuse: a bill never decodes to a silent zero.
func TestBillingMalformedAnswers(t *testing.T) {
	t.Parallel()
	const (
		usage    = `{"period_start":"2026-11-01","period_end":"2026-11-30","total_executions":1,"gigabytes_hour":"42.3 GBh","current_month_cost":%s}`
		invoice  = `{"id":"inv_1","date":%s,"amount":%s,"status":"paid"}`
		estimate = `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$1.00","estimated_cost":"$2.00","breakdown":[{"category":"compute","amount":%s}]}`
	)
	type call func(context.Context, *lambda.Client) error
	usageCall := func(ctx context.Context, c *lambda.Client) error { _, err := c.Billing.Usage(ctx); return err }
	invoiceCall := func(ctx context.Context, c *lambda.Client) error {
		_, err := c.Billing.GetInvoice(ctx, "inv_1")
		return err
	}
	listCall := func(ctx context.Context, c *lambda.Client) error {
		_, err := c.Billing.ListInvoices(ctx, nil)
		return err
	}
	estimateCall := func(ctx context.Context, c *lambda.Client) error { _, err := c.Billing.Estimate(ctx); return err }

	tests := []struct {
		name  string
		route string // under /v1
		body  string // the data, served in the canonical envelope
		call  call
	}{
		{"misplaced comma", "/billing/usage", fmt.Sprintf(usage, `"$2,34.50"`), usageCall},
		{"three decimals", "/billing/usage", fmt.Sprintf(usage, `"$2,345.000"`), usageCall},
		{"no currency", "/billing/usage", fmt.Sprintf(usage, `"2,345.00"`), usageCall},
		{"a number", "/billing/usage", fmt.Sprintf(usage, `2345.00`), usageCall},
		{"null", "/billing/usage", fmt.Sprintf(usage, `null`), usageCall},
		{"empty string", "/billing/usage", fmt.Sprintf(usage, `""`), usageCall},
		{"missing", "/billing/usage", `{"period_start":"2026-11-01","total_executions":1,"gigabytes_hour":"1 GBh"}`, usageCall},
		{"missing quantity", "/billing/usage", `{"total_executions":1,"current_month_cost":"$1.00"}`, usageCall},
		{"bad quantity", "/billing/usage", `{"total_executions":1,"gigabytes_hour":"42.3GBh","current_month_cost":"$1.00"}`, usageCall},
		{"bad period date", "/billing/usage", `{"period_start":"2026-11-01T00:00:00Z","total_executions":1,"gigabytes_hour":"1 GBh","current_month_cost":"$1.00"}`, usageCall},
		{"bad invoice amount", "/billing/invoices/inv_1", fmt.Sprintf(invoice, `"2024-12-31"`, `"$3.242,50"`), invoiceCall},
		{"invoice date as a timestamp", "/billing/invoices/inv_1", fmt.Sprintf(invoice, `"2024-12-31T00:00:00Z"`, `"$1.00"`), invoiceCall},
		{"invoice date out of range", "/billing/invoices/inv_1", fmt.Sprintf(invoice, `"2024-02-30"`, `"$1.00"`), invoiceCall},
		{"invoice without amount", "/billing/invoices/inv_1", `{"id":"inv_1","date":"2024-12-31","status":"paid"}`, invoiceCall},
		{"invoice without date", "/billing/invoices/inv_1", `{"id":"inv_1","amount":"$1.00","status":"paid"}`, invoiceCall},
		{"listed invoice amount", "/billing/invoices", `[` + fmt.Sprintf(invoice, `"2024-12-31"`, `"USD 1.00"`) + `]`, listCall},
		{"listed invoice without amount", "/billing/invoices", `[{"id":"inv_1","date":"2024-12-31","status":"paid"}]`, listCall},
		{"estimate breakdown", "/billing/estimate", fmt.Sprintf(estimate, `"$1,0000.00"`), estimateCall},
		{"estimate without estimated cost", "/billing/estimate", `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$1.00","breakdown":[]}`, estimateCall},
		{"estimate breakdown null", "/billing/estimate", fmt.Sprintf(estimate, `null`), estimateCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("GET "+tt.route, func(w http.ResponseWriter, r *http.Request) {
				writeData(w, http.StatusOK, tt.body)
			})
			err := tt.call(context.Background(), client)
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, lambda.CodeInvalidResponse, lerr.Code)
		})
	}

	t.Run("malformed on the bare /usage fallback", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		mux.HandleFunc("GET /billing/usage", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "not_found", "no such route")
		})
		mux.HandleFunc("GET /usage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(fmt.Sprintf(usage, `"$2,345"`)))
		})
		_, err := client.Billing.Usage(context.Background())
		require.ErrorIs(t, err, lambda.ErrInvalidResponse)
	})
}

func TestBillingCreditsAndOtherCurrencies(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /billing/estimate", func(w http.ResponseWriter, r *http.Request) {
		writeData(w, http.StatusOK, `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$0.00",
			"estimated_cost":"€1,234,567.89","breakdown":[{"category":"network","amount":"-$12.00"}]}`)
	})
	est, err := client.Billing.Estimate(context.Background())
	require.NoError(t, err)
	assert.Equal(t, lambda.Money{Currency: "USD", Minor: 0}, est.CurrentCost, "$0.00 is an amount, not a missing one")
	assert.Equal(t, lambda.Money{Currency: "EUR", Minor: 123456789}, est.EstimatedCost)
	assert.Equal(t, []lambda.CostItem{{Category: lambda.CostCategoryNetwork, Amount: lambda.Money{Currency: "USD", Minor: -1200}}}, est.Breakdown)
}

func TestBillingInvoices(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, billingClock)
	ctx := testCtx(t)

	// The simulator keeps three invoices, at the ends of the three months
	// before the clock's, newest first: $12,345.67 (open), $2,899.99, $3,242.50.
	want := []struct {
		date   lambda.Date
		minor  int64
		status lambda.InvoiceStatus
	}{
		{lambda.Date{Year: 2028, Month: time.January, Day: 31}, 1234567, lambda.InvoiceStatusOpen},
		{lambda.Date{Year: 2027, Month: time.December, Day: 31}, 289999, lambda.InvoiceStatusPaid},
		{lambda.Date{Year: 2027, Month: time.November, Day: 30}, 324250, lambda.InvoiceStatusPaid},
	}

	page, err := client.Billing.ListInvoices(ctx, &lambda.ListInvoicesOptions{ListOptions: lambda.ListOptions{Limit: 2}})
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/billing/invoices", r.Path)
	assert.Equal(t, url.Values{"limit": {"2"}}, platformQuery(t, r))
	wantPage := lambda.Pagination{Page: 1, Limit: 2, TotalItems: 3, TotalPages: 2, HasNext: true}
	if underDocumentedShapes() {
		wantPage = lambda.Pagination{} // the resources and functions documentation's bare array says nothing of pages
	}
	assert.Equal(t, wantPage, page.Pagination)
	require.Len(t, page.Items, 2)

	srv.ResetRequests()
	var all []lambda.Invoice
	for inv, err := range client.Billing.AllInvoices(ctx, &lambda.ListInvoicesOptions{ListOptions: lambda.ListOptions{Limit: 2}}) {
		require.NoError(t, err)
		all = append(all, inv)
	}
	require.Len(t, all, len(want))
	for i, w := range want {
		assert.Equal(t, w.date, all[i].Date, "invoice %d", i)
		assert.Equal(t, lambda.Money{Currency: "USD", Minor: w.minor}, all[i].Amount, "invoice %d", i)
		assert.Equal(t, w.status, all[i].Status, "invoice %d", i)
		assert.Regexp(t, `^inv_`, all[i].ID)
		assert.Regexp(t, `^https://`, all[i].PDFURL)
	}
	reqs := platformRequests(srv, "GET", "/v1/billing/invoices")
	require.Len(t, reqs, 2)
	assert.Equal(t, url.Values{"page": {"1"}, "limit": {"2"}}, platformQuery(t, reqs[0]))
	assert.Equal(t, url.Values{"page": {"2"}, "limit": {"2"}}, platformQuery(t, reqs[1]))

	srv.ResetRequests()
	oldest := all[2]
	inv, err := client.Billing.GetInvoice(ctx, oldest.ID)
	require.NoError(t, err)
	assert.Equal(t, oldest, *inv)
	assert.Equal(t, "$3,242.50", inv.Amount.String())
	r = platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/billing/invoices/"+oldest.ID, r.Path)

	_, err = client.Billing.GetInvoice(ctx, "inv_nope")
	assert.ErrorIs(t, err, lambda.ErrNotFound)

	srv.ResetRequests()
	_, err = client.Billing.GetInvoice(ctx, "")
	assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
	assert.Empty(t, srv.Requests(), "an empty ID is refused before sending")
}

func TestBillingEstimate(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, billingClock)
	ctx := testCtx(t)

	est, err := client.Billing.Estimate(ctx)
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/billing/estimate", r.Path)
	assert.Empty(t, r.RawQuery)

	assert.Equal(t, billingPeriodStart, est.PeriodStart)
	assert.Equal(t, billingPeriodEnd, est.PeriodEnd)
	var categories []lambda.CostCategory
	sum := lambda.Money{Currency: "USD"}
	for _, item := range est.Breakdown {
		categories = append(categories, item.Category)
		sum, err = sum.Add(item.Amount)
		require.NoError(t, err)
	}
	assert.Equal(t, []lambda.CostCategory{lambda.CostCategoryCompute, lambda.CostCategoryStorage,
		lambda.CostCategoryFunctions, lambda.CostCategoryNetwork}, categories)
	assert.Equal(t, est.CurrentCost, sum, "the breakdown adds up to the cost so far, to the cent")
	assert.Equal(t, lambda.Money{Currency: "USD", Minor: 180000 + 32050 + 21000 + 1450}, est.CurrentCost)
	assert.Equal(t, lambda.Money{Currency: "USD", Minor: est.CurrentCost.Minor * 3 / 2}, est.EstimatedCost)
}

func ExampleBillingService_Usage() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		panic(err)
	}

	usage, err := client.Billing.Usage(context.Background())
	if err != nil {
		panic(err)
	}
	// Amounts are exact: no float ever holds a price.
	fmt.Println(usage.CurrentMonthCost, usage.CurrentMonthCost.Minor, usage.CurrentMonthCost.Currency)
	fmt.Println(usage.GigabytesHour, usage.TotalExecutions)
	// Output:
	// $2,345.00 234500 USD
	// 42.3 GBh 524378
}
