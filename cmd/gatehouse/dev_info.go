package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// devInfo is what `gatehouse dev` prints once it is ready: where
// everything runs and how to sign in. With --json it is the one JSON
// object on stdout.
type devInfo struct {
	App      string    `json:"app"`    // the sample single-page app: open this
	Issuer   string    `json:"issuer"` // Gatehouse
	Console  string    `json:"console"`
	API      string    `json:"api"` // the demo API
	ClientID string    `json:"client_id"`
	Scopes   []string  `json:"api_scopes"`
	DB       string    `json:"db"`
	Users    []devUser `json:"users"`
}

// devUser is a demo login. The password is published: development only.
type devUser struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Password string   `json:"password"`
	Groups   []string `json:"groups"`
	Admin    bool     `json:"admin,omitempty"`
}

func (d devInfo) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nGatehouse dev is running. Press Ctrl-C to stop.\n\n")
	fmt.Fprintf(tw, "  Sample app\t%s\t<- open this in a browser\n", d.App)
	fmt.Fprintf(tw, "  Gatehouse\t%s\tissuer; discovery at %s/.well-known/openid-configuration\n", d.Issuer, d.Issuer)
	fmt.Fprintf(tw, "  Console\t%s\tthe developer console (sign in as the admin below)\n", d.Console)
	fmt.Fprintf(tw, "  Demo API\t%s\tGET /models, GET /folders, POST /folders, DELETE /folders/{id}\n", d.API)
	fmt.Fprintf(tw, "\nDemo logins (DEVELOPMENT ONLY: these passwords are published):\n\n")
	for _, u := range d.Users {
		role := "group " + strings.Join(u.Groups, ", ")
		if u.Admin {
			role = "administrator (console)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", u.Email, u.Password, role)
	}
	fmt.Fprintf(tw, "\n  Editors may create and delete folders; viewers may only list them.\n")
	fmt.Fprintf(tw, "\n  App client ID\t%s\n  API scopes\t%s\n  Database\t%s\n\n", d.ClientID, strings.Join(d.Scopes, " "), d.DB)
	return tw.Flush()
}
