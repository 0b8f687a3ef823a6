package lambda

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// A small body can decode into a great deal of memory: each "{}" of a
// list becomes a whole element of its slice (an Instance is 208 bytes), so
// 15 MiB of them made 5 GB of allocations. Before a large body is decoded,
// the objects and arrays in it are counted, and the body is refused when
// that many of the biggest element its destination can hold would pass
// maxDecodeBytes. An honest answer is far from it: its objects carry their
// fields, tens to hundreds of bytes of JSON each.
const (
	// decodeCheckFrom is the size from which a body is counted: below it,
	// the worst case is a few megabytes.
	decodeCheckFrom = 64 << 10
	// maxDecodeBytes bounds what the elements decoded from one body may take.
	maxDecodeBytes = 32 << 20
)

// errDecodeTooLarge is an answer refused by checkDecodeCost.
var errDecodeTooLarge = errors.New("the response body would take too much memory to decode")

// checkDecodeCost refuses body when decoding it into out could take more
// than maxDecodeBytes (see above).
func checkDecodeCost(body []byte, out any) error {
	if len(body) < decodeCheckFrom || out == nil {
		return nil
	}
	elem := largestElem(reflect.TypeOf(out))
	if elem == 0 {
		return nil
	}
	if n := countContainers(body); n*elem > maxDecodeBytes {
		return fmt.Errorf("%w: %d objects and arrays in %d bytes, up to %d MiB as %T (at most %d MiB)",
			errDecodeTooLarge, n, len(body), n*elem>>20, out, maxDecodeBytes>>20)
	}
	return nil
}

// countContainers counts the objects and arrays of a JSON text, leaving
// strings out. It does not check the text: the decoder does.
func countContainers(b []byte) int {
	n, inString := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			n++
		}
	}
	return n
}

var elemSizes sync.Map // reflect.Type → int

// largestElem is the size of the biggest element a value of type t can
// hold any number of: of its slices and maps, at any depth (an interface
// or a map counted as a map's header and an entry: what "{}" decodes to in
// an any). 0 when t holds none.
func largestElem(t reflect.Type) int {
	if v, ok := elemSizes.Load(t); ok {
		return v.(int)
	}
	size := walkElems(t, map[reflect.Type]bool{})
	elemSizes.Store(t, size)
	return size
}

const anyObjectSize = 64 // an interface holding a map: its header, its first bucket's share

func walkElems(t reflect.Type, seen map[reflect.Type]bool) int {
	if seen[t] {
		return 0
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Array:
		return walkElems(t.Elem(), seen)
	case reflect.Slice:
		e := t.Elem()
		return max(int(e.Size())+indirect(e), walkElems(e, seen))
	case reflect.Map:
		return max(int(t.Key().Size()+t.Elem().Size())+anyObjectSize, walkElems(t.Elem(), seen))
	case reflect.Interface:
		return anyObjectSize
	case reflect.Struct:
		size := 0
		for i := 0; i < t.NumField(); i++ {
			size = max(size, walkElems(t.Field(i).Type, seen))
		}
		return size
	}
	return 0
}

// indirect is what a pointer element points to, allocated with it.
func indirect(t reflect.Type) int {
	if t.Kind() == reflect.Pointer {
		return int(t.Elem().Size())
	}
	return 0
}
