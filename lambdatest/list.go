package lambdatest

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// listParams are the page, limit, sort and order of a canonical list.
type listParams struct {
	page, limit int
	sort, order string
}

// defaultLimit is the page size of the canonical lists when limit is not
// given: the API documentation's pagination example shows limit 20.
const defaultLimit = 20

// maxPaging bounds page, limit and offset: a value above it is a 400, so
// that no product of them can overflow (a page near math.MaxInt once
// panicked the handler, and the client saw a bare EOF).
const maxPaging = math.MaxInt32

// pagingParam reads a paging value from min to maxPaging; ok is false for
// anything else, huge and negative values included.
func pagingParam(v string, min int) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= min && n <= maxPaging
}

// parseList reads page (default 1), limit (default 20), sort (default
// created_at) and order (asc or desc). Strictly (WithStrictRequests), limit
// is at most 100 and sort is created_at or name, as the contract says;
// otherwise limit has no upper bound and sort takes any field of the listed
// objects (see lenient.go). The contract checks them too when strict; this
// keeps the handlers safe on their own.
func (c *call) parseList() (listParams, *apiError) {
	q, strict := c.query(), c.s.cfg.strict
	p := listParams{page: 1, limit: defaultLimit, sort: "created_at", order: "asc"}
	if v := q.Get("page"); v != "" {
		n, ok := pagingParam(v, 1)
		if !ok {
			return p, fieldError("page", v, "page must be an integer from 1 to %d", maxPaging)
		}
		p.page = n
	}
	if v := q.Get("limit"); v != "" {
		n, ok := pagingParam(v, 1)
		if !ok || (strict && n > 100) {
			if strict {
				return p, fieldError("limit", v, "limit must be an integer from 1 to 100")
			}
			return p, fieldError("limit", v, "limit must be an integer from 1 to %d", maxPaging)
		}
		p.limit = n
	}
	if v := q.Get("sort"); v != "" {
		if strict && v != "created_at" && v != "name" {
			e := fieldError("sort", v, "cannot sort by %q", v)
			e.allowed = []string{"created_at", "name"}
			return p, e
		}
		p.sort = v
	}
	if v := q.Get("order"); v != "" {
		if v != "asc" && v != "desc" {
			e := fieldError("order", v, "order must be asc or desc")
			e.allowed = []string{"asc", "desc"}
			return p, e
		}
		p.order = v
	}
	return p, nil
}

// parseListAsDocumented is parseList for the lists of the resources and
// functions documentation, which "list all" their objects: under
// WithSeedShapes, a request without limit gets every item.
func (c *call) parseListAsDocumented() (listParams, *apiError) {
	p, e := c.parseList()
	if e == nil && c.s.cfg.asDocumented && c.query().Get("limit") == "" {
		p.limit = math.MaxInt32
	}
	return p, e
}

// page sorts items (by p.sort, then creation order), cuts the page and
// returns its wire views. A sort field other than created_at and name is
// read from each item's wire JSON; items without it come last.
func page[T, V any](items []T, m func(T) meta, view func(T) V, p listParams) ([]V, wirePagination) {
	var fields map[int64]any // seq → the sort field's value, for other fields
	if p.sort != "created_at" && p.sort != "name" {
		fields = make(map[int64]any, len(items))
		for _, it := range items {
			fields[m(it).seq] = fieldOf(view(it), p.sort)
		}
	}
	slices.SortFunc(items, func(a, b T) int {
		ma, mb := m(a), m(b)
		c := 0
		switch p.sort {
		case "name":
			c = strings.Compare(ma.name, mb.name)
		case "created_at":
			c = ma.created.Compare(mb.created)
		default:
			c = compareValues(fields[ma.seq], fields[mb.seq])
		}
		if c == 0 {
			c = cmpInt(ma.seq, mb.seq)
		}
		if p.order == "desc" {
			c = -c
		}
		return c
	})
	total := len(items)
	pages := total / p.limit
	if total%p.limit != 0 {
		pages++
	}
	start := total // a page past the end, computed without overflow
	if p.page-1 < pages {
		start = (p.page - 1) * p.limit
	}
	end := start + min(p.limit, total-start)
	return views(items[start:end], view), wirePagination{
		Page: p.page, Limit: p.limit, TotalItems: total, TotalPages: pages,
		HasNext: p.page < pages, HasPrev: p.page > 1,
	}
}

// fieldOf returns the top-level field name of v's JSON, or nil.
func fieldOf(v any, name string) any {
	var fields map[string]any
	if json.Unmarshal(mustJSON(v), &fields) != nil {
		return nil
	}
	return fields[name]
}

// compareValues orders two JSON values: numbers by value, anything else by
// its JSON text; a missing value (nil) after any other.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return strings.Compare(string(mustJSON(a)), string(mustJSON(b)))
}

// oldestFirst sorts items by creation, for the lists that do not page.
func oldestFirst[T any](items []T, m func(T) meta) []T {
	slices.SortFunc(items, func(a, b T) int {
		if c := m(a).created.Compare(m(b).created); c != 0 {
			return c
		}
		return cmpInt(m(a).seq, m(b).seq)
	})
	return items
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// views maps stored objects to their wire form.
func views[T, V any](items []T, view func(T) V) []V {
	out := make([]V, 0, len(items))
	for _, it := range items {
		out = append(out, view(it))
	}
	return out
}

// find looks id up in m, or answers 404 naming kind.
func find[T any](m map[string]*T, kind, id string) (*T, *apiError) {
	v, ok := m[id]
	if !ok {
		return nil, notFound(kind, id)
	}
	return v, nil
}

// filter returns the values of m that keep accepts (all of them for nil),
// in no particular order: page sorts them.
func filter[T any](m map[string]T, keep func(T) bool) []T {
	items := make([]T, 0, len(m))
	for _, v := range m {
		if keep == nil || keep(v) {
			items = append(items, v)
		}
	}
	return items
}
