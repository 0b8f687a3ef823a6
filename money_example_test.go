package lambda_test

import (
	"fmt"
	"time"

	"github.com/lambda/lambda-go"
)

// ExampleParseMoney turns the API's amount strings into exact values and
// prints a small billing table with a total, right-aligned.
func ExampleParseMoney() {
	lines := []struct{ category, amount string }{
		{"compute", "$2,345.00"},
		{"storage", "$897.50"},
		{"network", "$0.05"},
		{"credit", "-$12.00"},
	}
	var total lambda.Money // the zero Money takes the currency of what is added
	for _, l := range lines {
		m, err := lambda.ParseMoney(l.amount)
		if err != nil {
			fmt.Println(err)
			return
		}
		if total, err = total.Add(m); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-8s %10s  (%d cents)\n", l.category, m, m.Minor)
	}
	fmt.Printf("%-8s %10s  (%d cents)\n", "total", total, total.Minor)

	_, err := lambda.ParseMoney("$1.5")
	fmt.Println(err)
	// Output:
	// compute   $2,345.00  (234500 cents)
	// storage     $897.50  (89750 cents)
	// network       $0.05  (5 cents)
	// credit      -$12.00  (-1200 cents)
	// total     $3,230.55  (323055 cents)
	// lambda: invalid money "$1.5": want digits, then "." and exactly two decimal digits
}

// ExampleParseDate shows that a Date is a calendar day, not an instant: In
// gives the instant it starts in a chosen zone.
func ExampleParseDate() {
	d, err := lambda.ParseDate("2024-12-31")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d, d.AddDays(1), d.Before(d.AddDays(1)))
	fmt.Println(d.In(time.FixedZone("UTC+9", 9*3600)).Format(time.RFC3339))

	_, err = lambda.ParseDate("2024-02-30")
	fmt.Println(err)
	// Output:
	// 2024-12-31 2025-01-01 true
	// 2024-12-31T00:00:00+09:00
	// lambda: invalid date "2024-02-30": no such day in the calendar
}

// ExampleParseQuantity reads a usage figure with its unit.
func ExampleParseQuantity() {
	q, err := lambda.ParseQuantity("42.3 GBh")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Value, q.Unit, q)
	// Output:
	// 42.3 GBh 42.3 GBh
}
