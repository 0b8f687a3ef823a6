package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"reflect"
)

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Pagination Pagination // zero when the route does not report pages

	paginated bool
	answer    result // the status and request ID of the answer it came in, for an iterator's errors about it
}

// Pagination is what the API says about a page's place in its list.
type Pagination struct {
	Page       int
	Limit      int
	TotalItems int
	TotalPages int
	HasNext    bool
	HasPrev    bool
}

// ListOptions selects a page of a page/limit list.
type ListOptions struct {
	Page  int `url:"page,omitempty"`  // from 1; 0 means the first; negative is refused
	Limit int `url:"limit,omitempty"` // items per page (1 to 100); 0 means the API's default; negative is refused
}

// SortOrder orders a sorted list.
type SortOrder string

// Sort orders.
const (
	SortAscending  SortOrder = "asc"
	SortDescending SortOrder = "desc"
)

// iteratorPageSize is the page size iterators ask for when the caller did
// not choose one: the largest the API allows, for the fewest round trips.
const iteratorPageSize = 100

// The end of a list, by style. An iterator trusts the server only as far
// as the server shows it can be trusted, so that it never yields an item
// twice, never runs for ever, and never stops early in silence:
//
//   - page/limit with a pagination object (most lists): the list ends on
//     has_next false, on the last of total_pages, on an empty page, or on
//     a page shorter than the limit when the pagination object reports the
//     limit asked for (the server honoured the client's page size). A
//     server may choose a smaller page size than asked: has_next is then
//     followed to the true end.
//   - page/limit without a pagination object (/workloads, the original API documentation's
//     bare lists), and limit/offset (/resources), which never has one: the
//     route does not say whether it honoured the limit (the original API documentation's default
//     is 50, and no API document says more is allowed). A short page is the end
//     only once an earlier page came back exactly full, which shows the
//     server honours the limit; before that the iterator asks for the next
//     page, and the list ends on an empty one, or on one that repeats a
//     short page (a route that ignores paging and answered everything at
//     once). A page longer than the limit is the end at once: the route
//     ignores the limit and answered everything (the workloads documentation's workloads).
//
// In every style, an item already yielded on the page before is skipped (a
// list that shifted under a concurrent create repeats a few), and a page
// that brings no new item (the same page again: a server that repeats a
// page or ignores paging), or that answers another page number than the
// one asked for, ends the loop with an error matching ErrInvalidResponse:
// at most one page is wasted, and the error is yielded once.

// cursor is what every list's options embed: ListOptions for page/limit
// lists, OffsetOptions for limit/offset ones. paging returns the one the
// options carry (the other is nil), for all to move from page to page.
type cursor interface {
	paging() (*ListOptions, *OffsetOptions)
}

func (lo *ListOptions) paging() (*ListOptions, *OffsetOptions)   { return lo, nil }
func (oo *OffsetOptions) paging() (*ListOptions, *OffsetOptions) { return nil, oo }

// checkPaging refuses a negative page, limit or offset: 0 already means
// the first page or the API's default, and below it there is nothing to
// ask for.
func checkPaging(c cursor) error {
	lo, oo := c.paging()
	var field string
	var v int
	switch {
	case lo != nil && lo.Page < 0:
		field, v = "page", lo.Page
	case lo != nil && lo.Limit < 0:
		field, v = "limit", lo.Limit
	case oo != nil && oo.Offset < 0:
		field, v = "offset", oo.Offset
	case oo != nil && oo.Limit < 0:
		field, v = "limit", oo.Limit
	default:
		return nil
	}
	return &Error{Code: CodeInvalidRequest, Details: &ErrorDetails{Field: field, Value: v},
		Message: fmt.Sprintf("%s %d is negative; refused before sending (0 means the API's default)", field, v)}
}

// all is every service's All: it iterates over the list that list fetches
// a page of, from the page opts selects (nil: the first), with ro on every
// page. opts is copied, and each page gets its own copy, so that neither
// the caller's later changes nor a second loop over the same iterator
// change the pages asked for.
func all[T, O any, PO interface {
	*O
	cursor
}](ctx context.Context, opts *O, list func(context.Context, *O, ...RequestOption) (*Page[T], error), ro []RequestOption) iter.Seq2[T, error] {
	o := deref(opts)
	if err := checkPaging(PO(&o)); err != nil {
		return func(yield func(T, error) bool) { yieldErr(yield, err) }
	}
	lo, oo := PO(&o).paging()
	if oo != nil {
		return allOffsets(ctx, *oo, func(ctx context.Context, window OffsetOptions) (*Page[T], error) {
			o := o
			_, oo := PO(&o).paging()
			*oo = window
			return list(ctx, &o, ro...)
		})
	}
	return allPages(ctx, *lo, func(ctx context.Context, page ListOptions) (*Page[T], error) {
		o := o
		lo, _ := PO(&o).paging()
		*lo = page
		return list(ctx, &o, ro...)
	})
}

// allPages walks a page/limit list lazily (see "The end of a list" above).
// fetch gets the options of each page; it must not keep them. Iteration
// also stops on the first error (yielded once) and the moment the caller
// breaks.
func allPages[T any](ctx context.Context, first ListOptions, fetch func(context.Context, ListOptions) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		lo := first
		if lo.Page < 1 {
			lo.Page = 1
		}
		if lo.Limit <= 0 {
			lo.Limit = iteratorPageSize
		}
		seen := newPageMemory[T]()
		prevShort := false // the page before was shorter than the limit
		honoured := false  // a page came back exactly full: the server honours the limit
		for {
			p, err := fetch(ctx, lo)
			if err != nil {
				yieldErr(yield, err)
				return
			}
			n := len(p.Items)
			if pg := p.Pagination; p.paginated && pg.Page != 0 && pg.Page != lo.Page {
				yieldErr(yield, pagingError(p.answer, "asked for page %d, the API answered page %d", lo.Page, pg.Page))
				return
			}
			if n == 0 {
				return
			}
			if seen.repeats(p.Items) {
				if !p.paginated && prevShort {
					return // a route that ignores paging answered everything on the first page
				}
				yieldErr(yield, pagingError(p.answer, "page %d repeats items already listed: the API repeats or ignores paging", lo.Page))
				return
			}
			if !seen.yieldNew(p.Items, yield) {
				return
			}
			if pg := p.Pagination; p.paginated &&
				(!pg.HasNext || (pg.TotalPages > 0 && lo.Page >= pg.TotalPages) || (pg.Limit == lo.Limit && n < lo.Limit)) {
				return
			}
			if !p.paginated && (n > lo.Limit || (honoured && n < lo.Limit)) {
				return // more than asked: a route that ignores the limit (the workloads documentation's workloads) answered everything
			}
			honoured = honoured || n == lo.Limit
			prevShort = n < lo.Limit
			lo.Page++
		}
	}
}

// OffsetOptions selects a window of a limit/offset list (/resources).
type OffsetOptions struct {
	Limit  int `url:"limit,omitempty"`  // items per page; 0 means the API's default (50); negative is refused
	Offset int `url:"offset,omitempty"` // items to skip; negative is refused
}

// allOffsets walks a limit/offset list lazily (see "The end of a list"
// above): it ends on an empty window, on a window longer than the limit,
// on a short window once the server has shown it honours the limit, or on
// one that repeats a short window, and fails on a window that brings no
// new item.
func allOffsets[T any](ctx context.Context, first OffsetOptions, fetch func(context.Context, OffsetOptions) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		oo := first
		if oo.Limit <= 0 {
			oo.Limit = iteratorPageSize
		}
		seen := newPageMemory[T]()
		prevShort := false // the page before was shorter than the limit
		honoured := false  // a page came back exactly full: the server honours the limit
		for {
			p, err := fetch(ctx, oo)
			if err != nil {
				yieldErr(yield, err)
				return
			}
			items := p.Items
			if len(items) == 0 {
				return
			}
			if seen.repeats(items) {
				if prevShort {
					return // a route that ignores offset answered everything at once
				}
				yieldErr(yield, pagingError(p.answer, "the window at offset %d repeats items already listed: the API repeats or ignores the offset", oo.Offset))
				return
			}
			if !seen.yieldNew(items, yield) {
				return
			}
			if len(items) > oo.Limit || (honoured && len(items) < oo.Limit) {
				return // more than asked: a route that ignores the limit answered everything
			}
			honoured = honoured || len(items) == oo.Limit
			prevShort = len(items) < oo.Limit
			oo.Offset += len(items)
		}
	}
}

func yieldErr[T any](yield func(T, error) bool, err error) {
	var zero T
	yield(zero, err)
}

// pagingError is an iterator's refusal of a page, with the status and
// request ID of the answer it came in, as every error about an answer has.
func pagingError(answer result, format string, args ...any) error {
	return &Error{Code: CodeInvalidResponse, Message: fmt.Sprintf(format, args...),
		HTTPStatus: answer.status, RequestID: answer.meta.RequestID}
}

// pageMemory is what an iterator remembers of the pages it has yielded:
// the item keys of the page before, and a fingerprint of every page. It is
// bounded by the page size plus 8 bytes a page, so that walking a list of
// 100,000 items holds no more memory than walking 10,000.
type pageMemory[T any] struct {
	key    func(*T) string
	prev   map[string]struct{}
	cur    map[string]struct{}
	keys   []string
	prints map[uint64]struct{}
}

func newPageMemory[T any]() *pageMemory[T] {
	return &pageMemory[T]{key: itemKey[T](), prev: map[string]struct{}{}, cur: map[string]struct{}{},
		prints: map[uint64]struct{}{}}
}

// repeats reports whether items bring nothing new: the same page as one
// before, or only items of the page before. Otherwise it remembers them.
func (m *pageMemory[T]) repeats(items []T) bool {
	m.keys = m.keys[:0]
	fp := uint64(fnvOffset)
	allOld := true
	for i := range items {
		k := m.key(&items[i])
		m.keys = append(m.keys, k)
		fp = fnv1a(fp, k)
		if _, ok := m.prev[k]; !ok {
			allOld = false
		}
	}
	if _, ok := m.prints[fp]; ok || allOld {
		return true
	}
	m.prints[fp] = struct{}{}
	return false
}

// FNV-1a, 64 bits, inline: hash/fnv's Write would allocate per item.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnv1a folds k and a separator into h.
func fnv1a(h uint64, k string) uint64 {
	for i := 0; i < len(k); i++ {
		h = (h ^ uint64(k[i])) * fnvPrime
	}
	return (h ^ 0xff) * fnvPrime // 0xff never occurs in UTF-8: keys cannot run together
}

// yieldNew yields the items of the page that repeats checked, skipping
// those of the page before and repeats within the page; false when the
// caller broke the loop.
func (m *pageMemory[T]) yieldNew(items []T, yield func(T, error) bool) bool {
	clear(m.cur)
	for i, item := range items {
		k := m.keys[i]
		_, old := m.prev[k]
		_, dup := m.cur[k]
		m.cur[k] = struct{}{}
		if old || dup {
			continue
		}
		if !yield(item, nil) {
			return false
		}
	}
	m.prev, m.cur = m.cur, m.prev
	return true
}

// itemKey returns the function that tells items of T apart: their ID
// field, or their JSON when they have none.
func itemKey[T any]() func(*T) string {
	t := reflect.TypeOf((*T)(nil)).Elem()
	if t.Kind() == reflect.Struct {
		if f, ok := t.FieldByName("ID"); ok && f.Type.Kind() == reflect.String && len(f.Index) == 1 {
			i := f.Index[0]
			return func(v *T) string {
				if id := reflect.ValueOf(v).Elem().Field(i).String(); id != "" {
					return id
				}
				return jsonKey(v)
			}
		}
	}
	return func(v *T) string { return jsonKey(v) }
}

// jsonKey keys an item without an ID by its JSON; the NUL prefix keeps it
// apart from any ID.
func jsonKey(v any) string {
	b, _ := json.Marshal(v)
	return "\x00" + string(b)
}
