package web

import "time"

// Page names accepted by Pages.Render. Each page expects the data type named
// next to it (a value or a non-nil pointer).
const (
	PageLogin   = "login"   // LoginData
	PageConsent = "consent" // ConsentData
	PageError   = "error"   // ErrorData
	PageLogout  = "logout"  // LogoutData
	PageMessage = "message" // MessageData
	PageAccount = "account" // AccountData
)

// Form field names shared by the templates and the handlers that read them.
const (
	FieldCSRF          = "csrf_token"
	FieldAuthz         = "authz"
	FieldLogoutRequest = "logout_request"
	FieldDecision      = "decision"
	FieldEmail         = "email"
	FieldPassword      = "password"
	// FieldReturnTo is where to go after a sign-in that is not part of an
	// authorization request: a same-origin path, as a query parameter of
	// GET /login and a hidden field of its form.
	FieldReturnTo = "return_to"
)

// Form fields of the account page.
const (
	FieldClientID        = "client_id"
	FieldCurrentPassword = "current_password"
	FieldNewPassword     = "new_password"
	FieldConfirmPassword = "confirm_password"
)

// Values of the FieldDecision submit buttons.
const (
	DecisionApprove = "approve"
	DecisionDeny    = "deny"
	DecisionLogout  = "logout"
)

// LoginData fills the sign-in page, which POSTs to /login.
type LoginData struct {
	ClientName string // app the user is signing in to; "" when /login is visited directly
	Email      string // pre-filled after a failed attempt
	Error      string // generic error message, shown in an alert
	CSRFToken  string
	Request    string // opaque authorization request, posted back in hidden field "authz"
	ReturnTo   string // same-origin path to go to after signing in, hidden field "return_to"
}

// ScopeView is one requested scope in words a user understands.
type ScopeView struct {
	Name        string // the scope token, e.g. "email"; shown small, for developers
	Description string // plain words, e.g. "See your email address"; Name is shown if empty
}

// ConsentData fills the consent page, which POSTs to /consent.
type ConsentData struct {
	ClientName string
	UserEmail  string
	UserName   string // may be ""
	Scopes     []ScopeView
	CSRFToken  string
	Request    string // hidden field "authz"
}

// ErrorData fills the error page shown when a browser flow cannot continue
// and the error cannot be sent back to the client (RFC 6749 §4.1.2.1).
type ErrorData struct {
	Title   string // e.g. "This sign-in link is not valid"; a generic title if ""
	Message string // plain words, says what to do
	Code    string // OAuth error code, shown small (e.g. invalid_request); may be ""
}

// LogoutData fills the sign-out confirmation page, which POSTs to /logout
// (OpenID Connect RP-Initiated Logout 1.0 §2 asks the OP to confirm).
type LogoutData struct {
	ClientName string // may be ""
	CSRFToken  string
	Request    string // hidden field "logout_request": the opaque end-session request
}

// MessageData fills a generic page with a title and a paragraph, e.g.
// "You are signed out".
type MessageData struct {
	Title   string
	Message string
}

// AccountData fills the signed-in user's account page, whose forms POST
// to /account/apps/revoke, /account/sessions/sign-out-others and
// /account/password.
type AccountData struct {
	UserName  string // may be ""
	UserEmail string
	Notice    string // outcome of the last action, announced politely; may be ""
	Apps      []AccountApp
	Sessions  []AccountSession
	CSRFToken string

	// PasswordError is shown above the password form after a failed
	// change; PasswordField names the field it is about (a Field*
	// password constant), which gets aria-invalid.
	PasswordError string
	PasswordField string
	MinPassword   int // minimum length of a new password, in characters
}

// OtherSessions counts the sessions that are not the current one.
func (d AccountData) OtherSessions() int {
	n := 0
	for _, s := range d.Sessions {
		if !s.Current {
			n++
		}
	}
	return n
}

// AccountApp is an application the user has granted access to.
type AccountApp struct {
	ClientID  string
	Name      string // "" if the application is gone
	Scopes    []ScopeView
	GrantedAt time.Time // first approval
	UpdatedAt time.Time // last approval
}

// AccountSession is one of the user's signed-in browsers.
type AccountSession struct {
	Current   bool // the browser showing the page
	CreatedAt time.Time
	AuthTime  time.Time // when the password was last entered
	ExpiresAt time.Time
}

// accepts reports whether data has the type page expects, so a caller's
// mistake is reported by name instead of as a template field error.
func accepts(page string, data any) bool {
	switch page {
	case PageLogin:
		return is[LoginData](data)
	case PageConsent:
		return is[ConsentData](data)
	case PageError:
		return is[ErrorData](data)
	case PageLogout:
		return is[LogoutData](data)
	case PageMessage:
		return is[MessageData](data)
	case PageAccount:
		return is[AccountData](data)
	}
	return false
}

func is[T any](data any) bool {
	switch d := data.(type) {
	case T:
		return true
	case *T:
		return d != nil
	}
	return false
}
