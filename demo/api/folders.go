package api

import (
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Folder groups content entries. Folders are shared by every user of the
// demo, so a viewer sees what an editor created.
type Folder struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedBy string    `json:"created_by"` // the sub of the user who created it
	CreatedAt time.Time `json:"created_at"`
}

// Folder limits: the data lives in memory, so it must stay small.
const (
	MaxFolderName = 80
	MaxFolders    = 100
)

var (
	errFolderNotFound = errors.New("no folder with this id")
	errFolderExists   = errors.New("a folder with this name already exists")
	errTooManyFolders = errors.New("the demo holds at most 100 folders; delete some first")
)

// folders is the in-memory folder list, in creation order.
type folders struct {
	mu    sync.Mutex
	items []Folder
}

func (f *folders) list() []Folder {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Folder{}, f.items...)
}

func (f *folders) create(name, createdBy string, now time.Time) (Folder, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, existing := range f.items {
		if strings.EqualFold(existing.Name, name) {
			return Folder{}, errFolderExists
		}
	}
	if len(f.items) >= MaxFolders {
		return Folder{}, errTooManyFolders
	}
	// Random IDs, so that nobody guesses the next folder's ID.
	folder := Folder{ID: "fld_" + strings.ToLower(rand.Text()[:12]), Name: name, CreatedBy: createdBy, CreatedAt: now.UTC().Truncate(time.Second)}
	f.items = append(f.items, folder)
	return folder, nil
}

func (f *folders) delete(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, existing := range f.items {
		if existing.ID == id {
			f.items = append(f.items[:i], f.items[i+1:]...)
			return nil
		}
	}
	return errFolderNotFound
}

// folderName trims a requested folder name and checks it is short plain
// text; the SPA shows names to other users, so control characters are out.
func folderName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errBadQuery{"name: required"}
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxFolderName {
		return "", errBadQuery{"name: at most 80 characters of text"}
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", errBadQuery{"name: must not contain control characters"}
		}
	}
	return s, nil
}
