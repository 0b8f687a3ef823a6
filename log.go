package lambda

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/lambda/lambda-go/internal/retry"
)

// logAttempt writes the debug line of a call's last attempt; the retry
// policy writes those of the attempts before it.
func (c *Client) logAttempt(ctx context.Context, rc *retry.Call, resp *http.Response, requestID string, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", rc.Method), slog.String("path", rc.Path),
		slog.Int("attempt", rc.Attempt), slog.Duration("wait", 0),
	}
	if resp != nil {
		if requestID == "" {
			requestID = resp.Header.Get("X-Request-Id")
		}
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", requestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "lambda: request", attrs...)
}
