package storagetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	timeType    = reflect.TypeFor[time.Time]()
	timePtrType = reflect.TypeFor[*time.Time]()
	durType     = reflect.TypeFor[time.Duration]()
)

// normalize returns the record a store must give back for rec: every time
// in UTC truncated to microseconds, every duration rounded toward zero to
// microseconds, every nil slice empty.
func normalize[T any](rec T) T {
	v := reflect.ValueOf(&rec).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch {
		case f.Type() == timeType:
			f.Set(reflect.ValueOf(micro(f.Interface().(time.Time))))
		case f.Type() == timePtrType && !f.IsNil():
			n := micro(*f.Interface().(*time.Time))
			f.Set(reflect.ValueOf(&n))
		case f.Type() == durType:
			f.Set(reflect.ValueOf(f.Interface().(time.Duration).Truncate(time.Microsecond)))
		case f.Kind() == reflect.Slice && f.IsNil():
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	return rec
}

// micro is t as a store returns it: UTC, microsecond precision.
func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// diff lists the fields in which got differs from want, or returns "".
// Fields are compared exactly, so a time must be the same instant and in
// UTC, and a nil slice differs from an empty one.
func diff[T any](want, got T) string {
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	var b strings.Builder
	for i := range w.NumField() {
		wf, gf := w.Field(i).Interface(), g.Field(i).Interface()
		if reflect.DeepEqual(wf, gf) {
			continue
		}
		format := "%s:\n\t-%#v\n\t+%#v\n"
		switch w.Field(i).Type() {
		case timeType:
			format = "%s:\n\t-%v\n\t+%v\n"
		case timePtrType:
			wf, gf = deref(wf.(*time.Time)), deref(gf.(*time.Time))
			format = "%s:\n\t-%v\n\t+%v\n"
		}
		fmt.Fprintf(&b, format, w.Type().Field(i).Name, wf, gf)
	}
	return b.String()
}

func deref(t *time.Time) any {
	if t == nil {
		return "nil"
	}
	return *t
}

// checkRecord fails the test unless got is what a store must return for
// the stored record in.
func checkRecord[T any](t *testing.T, what string, in, got T) {
	t.Helper()
	if d := diff(normalize(in), got); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", what, d)
	}
}

// checkRecords is checkRecord for lists, compared in order.
func checkRecords[T any](t *testing.T, what string, in, got []T) {
	t.Helper()
	if len(got) != len(in) {
		t.Fatalf("%s: got %d records, want %d:\n%+v", what, len(got), len(in), got)
	}
	for i := range in {
		checkRecord(t, fmt.Sprintf("%s[%d]", what, i), in[i], got[i])
	}
}
