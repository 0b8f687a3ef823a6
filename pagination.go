package lambda

import (
	"context"
	"fmt"
	"iter"
)

// Page is one page of a list.
type Page[T any] struct {
	Items      []T
	Pagination Pagination // zero when the route does not report pages

	paginated bool
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
	Page  int `url:"page,omitempty"`  // from 1; 0 means the first
	Limit int `url:"limit,omitempty"` // items per page (1 to 100); 0 means the API's default
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

// allPages walks a page/limit list lazily. fetch gets the options of each
// page; it must not keep them. Iteration stops on has_next false, on an
// empty page, past total_pages, on a short page when the route reports no
// pagination, on the first error (yielded once), and the moment the caller
// breaks. A server that answers another page than the one asked for is an
// error, not an endless loop.
func allPages[T any](ctx context.Context, first ListOptions, fetch func(context.Context, ListOptions) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		lo := first
		if lo.Page < 1 {
			lo.Page = 1
		}
		if lo.Limit <= 0 {
			lo.Limit = iteratorPageSize
		}
		for {
			p, err := fetch(ctx, lo)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
			}
			if done, err := lastPage(p, lo); done || err != nil {
				if err != nil {
					var zero T
					yield(zero, err)
				}
				return
			}
			lo.Page++
		}
	}
}

func lastPage[T any](p *Page[T], asked ListOptions) (bool, error) {
	if len(p.Items) == 0 {
		return true, nil
	}
	if !p.paginated {
		return len(p.Items) < asked.Limit, nil
	}
	pg := p.Pagination
	if pg.Page != 0 && pg.Page != asked.Page {
		return true, &Error{Code: CodeInvalidResponse,
			Message: fmt.Sprintf("asked for page %d, the API answered page %d", asked.Page, pg.Page)}
	}
	return !pg.HasNext || (pg.TotalPages > 0 && asked.Page >= pg.TotalPages), nil
}

// OffsetOptions selects a window of a limit/offset list (/resources).
type OffsetOptions struct {
	Limit  int `url:"limit,omitempty"`  // items per page; 0 means the API's default (50)
	Offset int `url:"offset,omitempty"` // items to skip
}

// allOffsets walks a limit/offset list lazily, stopping on an empty or
// short page, on the first error, and the moment the caller breaks.
func allOffsets[T any](ctx context.Context, first OffsetOptions, fetch func(context.Context, OffsetOptions) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		oo := first
		if oo.Limit <= 0 {
			oo.Limit = iteratorPageSize
		}
		for {
			items, err := fetch(ctx, oo)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if len(items) < oo.Limit {
				return
			}
			oo.Offset += len(items)
		}
	}
}
