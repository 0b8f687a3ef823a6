package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/ratelimit"
	"github.com/lambda/lambda-go/internal/retry"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the root of the Lambda API, version 1.
const DefaultBaseURL = "https://api.lambda.io/v1"

// Client talks to the Lambda API. Create one with NewClient and share it:
// it is safe for concurrent use and keeps connections alive between calls.
type Client struct {
	Instances   *InstancesService
	Volumes     *VolumesService
	Snapshots   *SnapshotsService
	Firewall    *FirewallService
	VPNs        *VPNsService
	Functions   *FunctionsService
	Billing     *BillingService
	Account     *AccountService
	APIKeys     *APIKeysService
	Webhooks    *WebhooksService
	Resources   *ResourcesService
	Workloads   *WorkloadsService
	Deployments *DeploymentsService

	common service // the one value every service above points at

	baseURL    *url.URL
	base       string      // baseURL without a trailing slash, for joining paths
	userAgent  string      // the User-Agent header's value, built once
	header     http.Header // WithHeader given to NewClient: sent on every call
	credential auth.Credential
	token      *auth.Token // non-nil with WithTokenSource
	http       *retryablehttp.Client
	httpClient *http.Client // the client requests go out on, behind the credential transport
	limits     ratelimit.Budgets
	logger     *slog.Logger             // the caller's, behind a redactingHandler
	redacting  atomic.Pointer[redactor] // credentialRedactor's cache
	policy     *retry.Policy

	deprecationWarned sync.Map // routes already warned about: "GET /instances/{id}"
}

// service is what every endpoint group shares: the client.
type service struct{ client *Client }

// NewClient returns a client configured by opts. Without a credential
// option it reads the API key from LAMBDA_API_KEY; LAMBDA_BASE_URL, when
// set, replaces the default base URL. Every option's input is checked here:
// a bad one is an error matching ErrInvalidRequest, never a panic later.
func NewClient(opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, invalidArgument(err)
	}
	c := &Client{
		baseURL:   cfg.baseURL,
		base:      cfg.baseURL.String(),
		userAgent: userAgent(cfg.userAgentSuffix),
		header:    cfg.header,
	}
	if cfg.logger != nil { // every line the client writes goes through redaction
		c.logger = slog.New(&redactingHandler{next: cfg.logger.Handler(), client: c})
	}
	c.credential, c.token = cfg.credential(cfg.httpClient)

	c.newChain(cfg) // chain.go: the layers every call goes through

	c.common.client = c
	c.Instances = (*InstancesService)(&c.common)
	c.Volumes = (*VolumesService)(&c.common)
	c.Snapshots = (*SnapshotsService)(&c.common)
	c.Firewall = (*FirewallService)(&c.common)
	c.VPNs = (*VPNsService)(&c.common)
	c.Functions = (*FunctionsService)(&c.common)
	c.Billing = (*BillingService)(&c.common)
	c.Account = (*AccountService)(&c.common)
	c.APIKeys = (*APIKeysService)(&c.common)
	c.Webhooks = (*WebhooksService)(&c.common)
	c.Resources = (*ResourcesService)(&c.common)
	c.Workloads = (*WorkloadsService)(&c.common)
	c.Deployments = (*DeploymentsService)(&c.common)
	return c, nil
}

// BaseURL returns the API root the client sends requests to; "" for a
// Client not made by NewClient.
func (c *Client) BaseURL() string {
	if c == nil {
		return ""
	}
	return c.base
}

// usable refuses a call that cannot be made: on a Client not made by
// NewClient (a nil *Client, or a zero lambda.Client{} whose services are
// nil), or with a nil context. Both are the caller's mistake, refused like
// any bad argument instead of panicking inside the SDK.
func (c *Client) usable(ctx context.Context) error {
	if c == nil || c.http == nil {
		return &Error{Code: CodeInvalidRequest,
			Message: "the Client was not made by NewClient (it is nil, or a zero lambda.Client{}); create it with lambda.NewClient"}
	}
	if ctx == nil {
		return invalidField("ctx", "the context is nil; pass context.Background() or a context of your own")
	}
	return nil
}

// String describes the client without its credential.
func (c *Client) String() string {
	return fmt.Sprintf("lambda.Client{BaseURL: %s, Auth: %s}", c.base, authKind(c.credential))
}

// GoString keeps the credential out of %#v.
func (c *Client) GoString() string { return c.String() }

// Format keeps the credential out of every verb, %+v included.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

func authKind(cr auth.Credential) string {
	switch cr.(type) {
	case *auth.Token:
		return "oauth2"
	default:
		return "api-key"
	}
}

func userAgent(suffix string) string {
	ua := "lambda-go/" + Version + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}
