package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Account is the account the client's credential belongs to.
type Account struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Company   string    `json:"company,omitempty"`
	Plan      Plan      `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// Plan is an account's subscription, which sets its rate limits and quotas.
type Plan string

// Plans.
const (
	PlanFree         Plan = "free"
	PlanProfessional Plan = "professional"
	PlanEnterprise   Plan = "enterprise"
)

// UpdateAccountRequest is the body of Account.Update. Only the fields set
// (non-nil) are sent, so Company can be cleared with Ptr("").
type UpdateAccountRequest struct {
	Name    *string `json:"name,omitempty"`
	Email   *string `json:"email,omitempty"`
	Company *string `json:"company,omitempty"`
}

// Quota is the account's plan limits and how much of them is used.
type Quota struct {
	Plan            Plan      `json:"plan"`
	RequestsPerHour int       `json:"requests_per_hour"`
	Burst           int       `json:"burst"`
	Instances       QuotaItem `json:"instances"`
	Volumes         QuotaItem `json:"volumes"`
	Snapshots       QuotaItem `json:"snapshots"`
	Functions       QuotaItem `json:"functions"`
	StorageGB       QuotaItem `json:"storage_gb"`
}

// QuotaItem is one limit of a Quota and its use.
type QuotaItem struct {
	Used  int `json:"used"`
	Limit int `json:"limit"`
}

// Get fetches the account.
func (s *AccountService) Get(ctx context.Context, opts ...RequestOption) (*Account, error) {
	return get[Account](ctx, clientOf(s), "/account", nil, opts)
}

// Update changes the fields of req that are set.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *AccountService) Update(ctx context.Context, req *UpdateAccountRequest, opts ...RequestOption) (*Account, error) {
	if req == nil {
		return nil, nilRequest("Account.Update", "UpdateAccountRequest")
	}
	return send[Account](ctx, clientOf(s), http.MethodPatch, "/account", req, opts)
}

// Quota fetches the account's limits and their use.
func (s *AccountService) Quota(ctx context.Context, opts ...RequestOption) (*Quota, error) {
	return get[Quota](ctx, clientOf(s), "/account/quota", nil, opts)
}

// APIKey is a credential of the account. Key, the secret itself, is set
// only in the answer of APIKeys.Create: the API shows it once, so keep it
// then. It prints as "[REDACTED]"; read it with Key.Reveal().
type APIKey struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"` // the secret's first 8 characters, to recognise it
	Permissions []string   `json:"permissions"`
	CreatedAt   time.Time  `json:"created_at"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"` // nil until first used
	Key         Secret     `json:"key"`
}

// CreateAPIKeyRequest is the body of APIKeys.Create.
type CreateAPIKeyRequest struct {
	Name        string   `json:"name"`
	Permissions []string `json:"permissions,omitempty"` // e.g. "read", "write"; the API's default when empty
}

// ListAPIKeysOptions sorts and pages APIKeys.List.
type ListAPIKeysOptions struct {
	ListOptions
	Sort  string    `url:"sort,omitempty"` // "created_at" or "name"
	Order SortOrder `url:"order,omitempty"`
}

// Create creates an API key. The answer is the only one that carries the
// key's secret, in Key.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *APIKeysService) Create(ctx context.Context, req *CreateAPIKeyRequest, opts ...RequestOption) (*APIKey, error) {
	if req == nil {
		return nil, nilRequest("APIKeys.Create", "CreateAPIKeyRequest")
	}
	return send[APIKey](ctx, clientOf(s), http.MethodPost, "/account/api-keys", req, opts)
}

// List fetches one page of API keys, without their secrets.
func (s *APIKeysService) List(ctx context.Context, opts *ListAPIKeysOptions, ro ...RequestOption) (*Page[APIKey], error) {
	return list[APIKey](ctx, clientOf(s), "/account/api-keys", opts, ro)
}

// All iterates over every API key, fetching pages as the loop needs them.
// opts is copied: changing it later has no effect.
// The list ends as page/limit lists with a pagination object do (see
// Paging in the package documentation): an item is never
// yielded twice, and a server that repeats or ignores paging ends the loop
// with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *APIKeysService) All(ctx context.Context, opts *ListAPIKeysOptions, ro ...RequestOption) iter.Seq2[APIKey, error] {
	return all(ctx, opts, s.List, ro)
}

// Delete revokes an API key.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound.
func (s *APIKeysService) Delete(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("API key", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("account", "api-keys", id), opts)
}
