package lambdatest

import (
	"slices"
	"time"
)

type account struct {
	id      string
	name    string
	email   string
	company string
	plan    string
	created time.Time
}

type wireAccount struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Company   string `json:"company,omitempty"`
	Plan      string `json:"plan"`
	CreatedAt string `json:"created_at"`
}

func (a *account) view() wireAccount {
	return wireAccount{ID: a.id, Name: a.name, Email: a.email, Company: a.company, Plan: a.plan, CreatedAt: stamp(a.created)}
}

func (s *Server) getAccount(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	return c.ok(st.account.view())
}

func (s *Server) updateAccount(c *call) reply {
	var req struct {
		Name    *string `json:"name"`
		Email   *string `json:"email"`
		Company *string `json:"company"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	if req.Name != nil {
		st.account.name = *req.Name
	}
	if req.Email != nil {
		st.account.email = *req.Email
	}
	if req.Company != nil {
		st.account.company = *req.Company
	}
	return c.ok(st.account.view())
}

type wireQuotaItem struct {
	Used  int `json:"used"`
	Limit int `json:"limit"`
}

type wireQuota struct {
	Plan            string        `json:"plan"`
	RequestsPerHour int           `json:"requests_per_hour"`
	Burst           int           `json:"burst"`
	Instances       wireQuotaItem `json:"instances"`
	Volumes         wireQuotaItem `json:"volumes"`
	Snapshots       wireQuotaItem `json:"snapshots"`
	Functions       wireQuotaItem `json:"functions"`
	StorageGB       wireQuotaItem `json:"storage_gb"`
}

func (s *Server) getQuota(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	storage := 0
	for _, v := range st.volumes {
		storage += v.sizeGB
	}
	// The account's plan (WithPlan; professional by default, shown but not enforced).
	perHour, burst, _ := Plan(st.account.plan).Limits()
	return c.ok(wireQuota{Plan: st.account.plan, RequestsPerHour: perHour, Burst: burst,
		Instances: wireQuotaItem{len(st.instances), 10000}, Volumes: wireQuotaItem{len(st.volumes), 1000},
		Snapshots: wireQuotaItem{len(st.snapshots), 1000}, Functions: wireQuotaItem{len(st.functions), 1000},
		StorageGB: wireQuotaItem{storage, 100000}})
}

type apiKey struct {
	meta
	prefix      string
	permissions []string
	secret      string
	lastUsed    time.Time
}

type wireAPIKey struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Prefix      string   `json:"prefix"`
	Permissions []string `json:"permissions"`
	CreatedAt   string   `json:"created_at"`
	LastUsedAt  string   `json:"last_used_at,omitempty"`
	Key         string   `json:"key,omitempty"`
}

func (k *apiKey) view() wireAPIKey {
	w := wireAPIKey{ID: k.id, Name: k.name, Prefix: k.prefix, Permissions: slices.Clone(k.permissions), CreatedAt: stamp(k.created)}
	if !k.lastUsed.IsZero() {
		w.LastUsedAt = stamp(k.lastUsed)
	}
	return w
}

// touchKey records that the key with this secret authenticated a request.
func (st *state) touchKey(secret string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, k := range st.apiKeys {
		if k.secret == secret {
			k.lastUsed = now
		}
	}
}

// prefixOf is the first 8 characters (not bytes) of a secret.
func prefixOf(secret string) string {
	n := 0
	for i := range secret {
		if n == 8 {
			return secret[:i]
		}
		n++
	}
	return secret
}

func (st *state) newAPIKey(name, secret string, perms []string, now time.Time) *apiKey {
	if len(perms) == 0 {
		perms = []string{"read", "write"}
	}
	k := &apiKey{meta: st.newMeta("key_", name, now), prefix: prefixOf(secret), permissions: slices.Clone(perms), secret: secret}
	st.apiKeys[k.id] = k
	return k
}

// createAPIKey makes a new key; it authenticates at once, until deleted.
func (s *Server) createAPIKey(c *call) reply {
	var req struct {
		Name        string   `json:"name"`
		Permissions []string `json:"permissions"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	secret := newID("λ_sk_") + newID("")
	k := st.newAPIKey(req.Name, secret, req.Permissions, c.now)
	s.auth.addCreated(secret, k.permissions)
	w := k.view()
	w.Key = secret // shown once
	return c.created(w)
}

func (s *Server) listAPIKeys(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	var items []*apiKey
	for _, k := range st.apiKeys {
		items = append(items, k)
	}
	got, pg := page(items, func(k *apiKey) meta { return k.meta }, (*apiKey).view, p)
	return c.list(got, pg)
}

func (s *Server) deleteAPIKey(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	k, ok := st.apiKeys[c.id]
	if !ok {
		return c.fail(notFound("API key", c.id))
	}
	delete(st.apiKeys, k.id)
	if k.secret != "" {
		s.auth.revoke(k.secret) // the default key too: it is listed, so it can be deleted
	}
	return noContent()
}
