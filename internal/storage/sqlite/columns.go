package sqlite

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// row is what *sql.Row and *sql.Rows have in common.
type row interface {
	Scan(dest ...any) error
}

// micros is t as stored: unix microseconds. Truncating first makes times
// before 1970 round down like later ones.
func micros(t time.Time) int64 { return t.Truncate(time.Microsecond).UnixMicro() }

// nullMicros is micros for an optional time; nil is NULL.
func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

// microTime scans unix microseconds into a UTC time.
type microTime struct{ p *time.Time }

func (m microTime) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column: got %T, want int64", src)
	}
	*m.p = time.UnixMicro(v).UTC()
	return nil
}

// nullMicroTime scans nullable unix microseconds into a *time.Time.
type nullMicroTime struct{ p **time.Time }

func (m nullMicroTime) Scan(src any) error {
	if src == nil {
		*m.p = nil
		return nil
	}
	var t time.Time
	if err := (microTime{&t}).Scan(src); err != nil {
		return err
	}
	*m.p = &t
	return nil
}

// list is a []string stored as a JSON array in a TEXT column. It scans
// into a non-nil slice and stores nil as [].
type list struct{ p *[]string }

func (l list) Value() (driver.Value, error) {
	if *l.p == nil {
		return "[]", nil
	}
	b, err := json.Marshal(*l.p)
	return string(b), err
}

func (l list) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("list column: got %T, want text", src)
	}
	out := []string{}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("list column: %w", err)
	}
	if out == nil { // the text was "null"
		out = []string{}
	}
	*l.p = out
	return nil
}

// listOf wraps a slice for storing as a JSON array.
func listOf(s []string) list { return list{&s} }

// blob scans a BLOB into a non-nil []byte and stores nil as an empty blob.
type blob struct{ p *[]byte }

func (b blob) Value() (driver.Value, error) {
	if *b.p == nil {
		return []byte{}, nil
	}
	return *b.p, nil
}

func (b blob) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		*b.p = append([]byte{}, v...)
	case nil:
		*b.p = []byte{}
	default:
		return fmt.Errorf("blob column: got %T, want []byte", src)
	}
	return nil
}

// blobOf wraps a slice for storing as a BLOB.
func blobOf(p []byte) blob { return blob{&p} }

// optMicros is micros for a time whose zero value means "unset": the zero
// time is stored as NULL.
func optMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

// optTime scans nullable unix microseconds into a time.Time; NULL is the
// zero time.
type optTime struct{ p *time.Time }

func (m optTime) Scan(src any) error {
	if src == nil {
		*m.p = time.Time{}
		return nil
	}
	return microTime(m).Scan(src)
}

// durationMicros is d as stored: whole microseconds, rounded toward zero.
func durationMicros(d time.Duration) int64 { return int64(d / time.Microsecond) }

// microDuration scans microseconds into a time.Duration.
type microDuration struct{ p *time.Duration }

func (m microDuration) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("duration column: got %T, want int64", src)
	}
	*m.p = time.Duration(v) * time.Microsecond
	return nil
}
