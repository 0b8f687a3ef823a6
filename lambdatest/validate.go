package lambdatest

import "net/http"

// validator is what the pipeline needs of the contract; *Contract is it.
type validator interface {
	ValidateRequest(r *http.Request, body []byte) error
	ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error
}

// loadValidator loads the embedded OpenAPI contract. The spec is compiled
// into the module, so failing to load it is a defect of this module, not of
// the caller: NewServer panics, as httptest.NewServer does when it cannot
// listen.
func loadValidator(load func() (*Contract, error)) *Contract {
	c, err := load()
	if err != nil {
		panic("lambdatest: " + err.Error())
	}
	return c
}
