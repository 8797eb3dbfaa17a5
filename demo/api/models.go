package api

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Field is one field of a content model.
type Field struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

// Model is a content model: the shape of one kind of entry in a headless
// CMS. The catalog is fixed; it only exists to be listed page by page.
type Model struct {
	ID          string
	Name        string
	Description string
	Fields      []Field
	UpdatedAt   time.Time
}

// modelSummary is a model in the summary projection: enough for a list.
type modelSummary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	FieldCount int       `json:"field_count"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// modelFull is a model in the full projection.
type modelFull struct {
	modelSummary
	Description string  `json:"description"`
	Fields      []Field `json:"fields"`
}

// Projections of GET /models.
const (
	ProjectionSummary = "summary"
	ProjectionFull    = "full"
)

// Page sizes of GET /models.
const (
	DefaultLimit = 5
	MaxLimit     = 50
)

// catalog returns the demo's content models, ordered by ID (the order
// cursors walk).
func catalog() []Model {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	text := func(id, name string, req bool) Field { return Field{ID: id, Name: name, Type: "text", Required: req} }
	rich := func(id, name string) Field { return Field{ID: id, Name: name, Type: "rich_text"} }
	ref := func(id, name string) Field { return Field{ID: id, Name: name, Type: "reference"} }
	date := func(id, name string) Field { return Field{ID: id, Name: name, Type: "date"} }
	media := func(id, name string) Field { return Field{ID: id, Name: name, Type: "media"} }
	models := []Model{
		{"article", "Article", "A blog post or news article.", []Field{text("title", "Title", true), text("slug", "Slug", true), rich("body", "Body"), ref("author", "Author"), date("published", "Published")}, day(3)},
		{"author", "Author", "A person who writes articles.", []Field{text("name", "Name", true), rich("bio", "Biography"), media("avatar", "Avatar")}, day(3)},
		{"category", "Category", "A topic that groups articles.", []Field{text("name", "Name", true), text("slug", "Slug", true)}, day(4)},
		{"event", "Event", "Something happening at a place and time.", []Field{text("title", "Title", true), date("starts", "Starts"), date("ends", "Ends"), text("venue", "Venue", false)}, day(5)},
		{"faq", "FAQ entry", "A question and its answer.", []Field{text("question", "Question", true), rich("answer", "Answer")}, day(6)},
		{"landing_page", "Landing page", "A campaign page assembled from sections.", []Field{text("title", "Title", true), text("slug", "Slug", true), ref("sections", "Sections"), media("hero", "Hero image")}, day(7)},
		{"navigation", "Navigation menu", "Links shown in the site header or footer.", []Field{text("name", "Name", true), ref("links", "Links")}, day(8)},
		{"press_release", "Press release", "An official announcement.", []Field{text("title", "Title", true), rich("body", "Body"), date("embargo", "Embargo until")}, day(9)},
		{"product", "Product", "An item in the shop catalog.", []Field{text("name", "Name", true), text("sku", "SKU", true), rich("description", "Description"), media("images", "Images"), ref("category", "Category")}, day(10)},
		{"recipe", "Recipe", "Ingredients and steps.", []Field{text("title", "Title", true), rich("ingredients", "Ingredients"), rich("steps", "Steps"), media("photo", "Photo")}, day(11)},
		{"section", "Page section", "A reusable block of a landing page.", []Field{text("heading", "Heading", false), rich("content", "Content")}, day(12)},
		{"testimonial", "Testimonial", "A quote from a happy customer.", []Field{text("quote", "Quote", true), text("person", "Person", true), media("photo", "Photo")}, day(13)},
	}
	slices.SortFunc(models, func(a, b Model) int { return strings.Compare(a.ID, b.ID) })
	return models
}

func (m Model) summary() modelSummary {
	return modelSummary{ID: m.ID, Name: m.Name, FieldCount: len(m.Fields), UpdatedAt: m.UpdatedAt}
}

func (m Model) full() modelFull {
	return modelFull{modelSummary: m.summary(), Description: m.Description, Fields: slices.Clone(m.Fields)}
}

// modelQuery is a parsed GET /models request.
type modelQuery struct {
	After      string // the ID of the last model of the previous page; "" for the first
	Limit      int
	Projection string
}

// errBadQuery explains a query parameter the API cannot use.
type errBadQuery struct{ msg string }

func (e errBadQuery) Error() string { return e.msg }

// cursorPrefix versions cursors, so that a changed format can refuse old ones.
const cursorPrefix = "m1:"

// encodeCursor makes the opaque cursor that continues after model id.
func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

// parseModelQuery reads cursor, limit and projection; every value is
// checked, and each may appear once, so that a typo is an error, not a
// silently different answer. Other parameters are ignored.
func parseModelQuery(values url.Values) (modelQuery, error) {
	q := modelQuery{Limit: DefaultLimit, Projection: ProjectionSummary}
	for _, name := range []string{"cursor", "limit", "projection"} {
		if len(values[name]) > 1 {
			return q, errBadQuery{name + ": give it at most once"}
		}
	}
	get := values.Get
	if c := get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		id, ok := strings.CutPrefix(string(b), cursorPrefix)
		if err != nil || !ok || id == "" {
			return q, errBadQuery{"cursor: not a cursor this API issued; use next_cursor from the previous page"}
		}
		q.After = id
	}
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			return q, errBadQuery{"limit: want a whole number from 1 to " + strconv.Itoa(MaxLimit)}
		}
		q.Limit = n
	}
	switch p := get("projection"); p {
	case "", ProjectionSummary:
	case ProjectionFull:
		q.Projection = p
	default:
		return q, errBadQuery{"projection: want summary or full"}
	}
	return q, nil
}

// modelPage is the body of GET /models. NextCursor is empty on the last page.
type modelPage struct {
	Items      []any  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// page returns the models after q.After, at most q.Limit of them.
func page(models []Model, q modelQuery) (modelPage, error) {
	start := 0
	if q.After != "" {
		i, found := slices.BinarySearchFunc(models, q.After, func(m Model, id string) int { return strings.Compare(m.ID, id) })
		if !found {
			return modelPage{}, errBadQuery{"cursor: it points at no model; start again without a cursor"}
		}
		start = i + 1
	}
	end := min(start+q.Limit, len(models))
	out := modelPage{Items: make([]any, 0, end-start)}
	for _, m := range models[start:end] {
		if q.Projection == ProjectionFull {
			out.Items = append(out.Items, m.full())
		} else {
			out.Items = append(out.Items, m.summary())
		}
	}
	if end < len(models) {
		out.NextCursor = encodeCursor(models[end-1].ID)
	}
	return out, nil
}
