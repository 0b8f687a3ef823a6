package lambdatest

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// listParams are the page, limit, sort and order of a canonical list.
type listParams struct {
	page, limit int
	sort, order string
}

// parseList reads page (default 1), limit (1..100, default 20), sort
// (created_at or name) and order (asc or desc). The contract checks them
// too; this keeps the handlers safe on their own.
func parseList(q url.Values) (listParams, *apiError) {
	p := listParams{page: 1, limit: 20, sort: "created_at", order: "asc"}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, fieldError("page", v, "page must be an integer ≥ 1")
		}
		p.page = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return p, fieldError("limit", v, "limit must be an integer from 1 to 100")
		}
		p.limit = n
	}
	if v := q.Get("sort"); v != "" {
		if v != "created_at" && v != "name" {
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

// page sorts items (by p.sort, then creation order) and cuts the page.
func page[T any](items []T, m func(T) meta, p listParams) ([]T, wirePagination) {
	slices.SortFunc(items, func(a, b T) int {
		ma, mb := m(a), m(b)
		c := 0
		if p.sort == "name" {
			c = strings.Compare(ma.name, mb.name)
		} else {
			c = ma.created.Compare(mb.created)
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
	pages := (total + p.limit - 1) / p.limit
	start := min((p.page-1)*p.limit, total)
	end := min(start+p.limit, total)
	return items[start:end], wirePagination{
		Page: p.page, Limit: p.limit, TotalItems: total, TotalPages: pages,
		HasNext: p.page < pages, HasPrev: p.page > 1,
	}
}

// oldestFirst sorts items by creation, for the lists that do not page.
func oldestFirst[T any](items []T, m func(T) meta) []T {
	all, _ := page(items, m, listParams{page: 1, limit: max(len(items), 1), sort: "created_at", order: "asc"})
	return all
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
