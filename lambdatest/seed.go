package lambdatest

import "time"

// seedCreated is when the simulator's initial account, key and workloads were made.
var seedCreated = time.Date(2024, 3, 14, 9, 26, 53, 0, time.UTC)

// seed fills a new platform with what exists before any call: the account,
// its default API key, three invoices and two workloads, so that billing,
// account and workload reads work from the start.
func (st *state) seed(now time.Time) {
	created := createdBefore(seedCreated, now)
	plan := PlanProfessional // the plan whose figures the API documentation's headers show
	if st.srv.cfg.plan != "" {
		plan = st.srv.cfg.plan
	}
	st.account = account{id: "acct_7d1c4e9a", name: "Test Account", email: "dev@example.com",
		company: "Example Inc.", plan: string(plan), created: created}
	if len(st.srv.cfg.apiKeys) > 0 {
		st.newAPIKey("Default test key", st.srv.cfg.apiKeys[0], []string{"read", "write"}, created)
	}
	st.seedInvoices(now)
	st.newWorkload("web-frontend", "us-west-2", created)
	st.newWorkload("batch-etl", "us-east-1", created.Add(time.Hour))
}

// createdBefore is t, or when a clock set before t (WithClock) says now,
// the same day and time in the latest year before now: nothing can have
// been made in the server's future.
func createdBefore(t, now time.Time) time.Time {
	t = t.AddDate(min(now.Year()-t.Year(), 0), 0, 0)
	if !t.Before(now) {
		t = t.AddDate(-1, 0, 0)
	}
	return t
}
