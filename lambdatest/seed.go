package lambdatest

import "time"

// seed fills a new platform with what exists before any call: the account,
// its default API key, three invoices and two workloads, so that billing,
// account and workload reads work from the start.
func (st *state) seed(now time.Time) {
	created := time.Date(2024, 3, 14, 9, 26, 53, 0, time.UTC)
	plan := PlanProfessional // the plan whose figures seed 001's headers show
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
