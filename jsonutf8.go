package lambda

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// checkUTF8 refuses a value v that json.Marshal encoded as encoded, but only
// after replacing bytes that are not UTF-8 with U+FFFD: a name or a filter
// would reach the API other than the caller wrote it, and a filter would
// match nothing, in silence. The error names the field (argument names
// what was encoded: "body", "filter"), never the value, which may be a
// secret. encoding/json writes each replaced byte as the escape \ufffd, so
// only a value whose encoding holds that escape is searched.
func checkUTF8(argument string, v any, encoded []byte) error {
	if !bytes.Contains(encoded, []byte(`\ufffd`)) {
		return nil
	}
	where, ok := invalidUTF8(reflect.ValueOf(v), "")
	if !ok {
		return nil // the escape was the value's own (a json.Marshaler's)
	}
	field := strings.TrimPrefix(where, ".") // a body's fields are named as the API names them
	if argument == "filter" {
		field = argument + where
	}
	if field == "" {
		field = argument
	}
	return &Error{Code: CodeInvalidRequest, Details: &ErrorDetails{Field: field},
		Message: fmt.Sprintf("the %s holds bytes that are not UTF-8 at %q, which JSON cannot carry; refused before sending", argument, field)}
}

// invalidUTF8 finds the first string in v that is not valid UTF-8, and
// returns its path (".name", ".tags.team", ".ssh_keys[2]"). It walks what
// json.Marshal walks, and only a value that json.Marshal has encoded, so
// it meets no cycle; a json.Marshaler or encoding.TextMarshaler writes
// its own text and is not searched.
func invalidUTF8(v reflect.Value, path string) (string, bool) {
	if !v.IsValid() {
		return "", false
	}
	if t := v.Type(); t.Kind() != reflect.Interface && (t.Implements(jsonMarshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(jsonMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)) {
		return "", false
	}
	switch v.Kind() {
	case reflect.String:
		return path, !utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return invalidUTF8(v.Elem(), path)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			name, _, _ := bytes.Cut([]byte(f.Tag.Get("json")), []byte(","))
			if string(name) == "-" {
				continue
			}
			sub := path + "." + string(name)
			switch {
			case f.Anonymous && len(name) == 0:
				sub = path // an embedded struct's fields are the outer one's
			case len(name) == 0:
				sub = path + "." + f.Name
			}
			if p, bad := invalidUTF8(v.Field(i), sub); bad {
				return p, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && !utf8.ValidString(k.String()) {
				return path + " (a key)", true
			}
			if p, bad := invalidUTF8(iter.Value(), path+"."+fmt.Sprint(k)); bad {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false // bytes go as base64
		}
		for i := 0; i < v.Len(); i++ {
			if p, bad := invalidUTF8(v.Index(i), path+"["+strconv.Itoa(i)+"]"); bad {
				return p, true
			}
		}
	}
	return "", false
}
