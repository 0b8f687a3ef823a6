// Billing prints this period's usage, the cost estimate with its breakdown,
// and every invoice, as aligned tables. Amounts are lambda.Money: exact
// cents, added without floating-point error, printed as the API does.
//
// With LAMBDA_API_KEY set it reads your real account (read-only); without
// it, it runs against the in-process simulator's sample account.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/billing
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "billing:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}

	usage, err := client.Billing.Usage(ctx)
	if err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	est, err := client.Billing.Estimate(ctx)
	if err != nil {
		return fmt.Errorf("estimate: %w", err)
	}

	fmt.Printf("Usage, %s to %s\n", usage.PeriodStart, usage.PeriodEnd)
	err = table([][]string{
		{"executions", fmt.Sprint(usage.TotalExecutions)},
		{"compute", usage.GigabytesHour.String()},
		{"cost this month", usage.CurrentMonthCost.String()},
	})
	if err != nil {
		return err
	}

	fmt.Printf("\nEstimate, %s to %s\n", est.PeriodStart, est.PeriodEnd)
	var rows [][]string
	var sum lambda.Money // the zero Money takes the currency of the first amount added
	for _, item := range est.Breakdown {
		rows = append(rows, []string{string(item.Category), item.Amount.String()})
		if sum, err = sum.Add(item.Amount); err != nil {
			return err // amounts in two currencies are never added silently
		}
	}
	rows = append(rows, []string{"sum of the above", sum.String()}, []string{"cost so far", est.CurrentCost.String()},
		[]string{"estimated for the period", est.EstimatedCost.String()})
	if err := table(rows); err != nil {
		return err
	}

	fmt.Println("\nInvoices")
	rows = [][]string{{"invoice", "date", "status", "amount"}}
	var total lambda.Money
	for inv, err := range client.Billing.AllInvoices(ctx, nil) {
		if err != nil {
			return fmt.Errorf("invoices: %w", err)
		}
		rows = append(rows, []string{inv.ID, inv.Date.String(), string(inv.Status), inv.Amount.String()})
		if total, err = total.Add(inv.Amount); err != nil {
			return err
		}
	}
	return table(append(rows, []string{"total", "", "", total.String()}))
}

// table prints rows aligned with text/tabwriter: the first column to the
// left, the others (amounts) to the right. tabwriter aligns every column the
// same way, so the first is padded to its width beforehand.
func table(rows [][]string) error {
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r[0]))
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s\t%s\t\n", width, r[0], strings.Join(r[1:], "\t"))
	}
	return w.Flush()
}
