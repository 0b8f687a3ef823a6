package lambda

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.yaml
var openAPISpec []byte

// OpenAPISpec returns the OpenAPI 3 description of the Lambda API that this
// SDK and its simulator (package lambdatest) are checked against.
// The caller may modify the returned slice.
func OpenAPISpec() []byte { return bytes.Clone(openAPISpec) }
