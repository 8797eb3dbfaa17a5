package web

import "time"

// sample is one page with realistic data, shared by the rendering tests and
// the screenshot run.
type sample struct {
	name string // file name stem
	page string
	data any
}

const hostile = `<script>alert("x")</script>`

func samples() []sample {
	return []sample{
		{"login", PageLogin, LoginData{
			ClientName: "Acme Dashboard", CSRFToken: "tok-123", Request: "req-abc",
		}},
		{"login-error", PageLogin, LoginData{
			ClientName: "Acme Dashboard", Email: "ada@example.com",
			Error:     "That email and password don't match. Check them and try again.",
			CSRFToken: "tok-123", Request: "req-abc",
		}},
		{"login-direct", PageLogin, LoginData{CSRFToken: "tok-123"}},
		{"consent", PageConsent, ConsentData{
			ClientName: "Acme Dashboard", UserEmail: "ada@example.com", UserName: "Ada Lovelace",
			Scopes: []ScopeView{
				{Name: "openid", Description: "Confirm who you are"},
				{Name: "profile", Description: "See your name"},
				{Name: "email", Description: "See your email address"},
				{Name: "offline_access", Description: "Stay connected when you are not using it"},
				{Name: "api:read"},
			},
			CSRFToken: "tok-123", Request: "req-abc",
		}},
		{"consent-minimal", PageConsent, ConsentData{
			ClientName: "A very long application name that keeps going and going",
			UserEmail:  "someone.with.a.rather.long.address@subdomain.example.com",
			CSRFToken:  "tok-123", Request: "req-abc",
		}},
		{"error", PageError, ErrorData{
			Title:   "This sign-in link is not valid",
			Message: "The app that sent you here made a mistake. Go back to the app and try signing in again.",
			Code:    "invalid_request",
		}},
		{"logout", PageLogout, LogoutData{
			ClientName: "Acme Dashboard", CSRFToken: "tok-123", Request: "logout-req",
		}},
		{"message", PageMessage, MessageData{
			Title:   "You are signed out",
			Message: "You can close this window now.",
		}},
		{"account", PageAccount, sampleAccount()},
		{"account-empty", PageAccount, AccountData{
			UserEmail: "someone.with.a.rather.long.address@subdomain.example.com",
			Sessions:  []AccountSession{{Current: true, CreatedAt: sampleTime, AuthTime: sampleTime, ExpiresAt: sampleTime.Add(12 * time.Hour)}},
			CSRFToken: "tok-123", MinPassword: 8,
		}},
		{"account-password-error", PageAccount, func() AccountData {
			d := sampleAccount()
			d.Notice = ""
			d.PasswordError, d.PasswordField = "Your current password is not correct.", FieldCurrentPassword
			return d
		}()},
	}
}

var sampleTime = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func sampleAccount() AccountData {
	return AccountData{
		UserName: "Ada Lovelace", UserEmail: "ada@example.com",
		Notice: "Acme Dashboard can no longer access your account.",
		Apps: []AccountApp{
			{ClientID: "c1", Name: "Acme Dashboard", GrantedAt: sampleTime, UpdatedAt: sampleTime.Add(48 * time.Hour), Scopes: []ScopeView{
				{Name: "openid", Description: "Confirm who you are"},
				{Name: "email", Description: "See your email address"},
				{Name: "offline_access", Description: "Stay connected when you are not using it"},
			}},
			{ClientID: "c2", Name: "A very long application name that keeps going and going", GrantedAt: sampleTime, UpdatedAt: sampleTime,
				Scopes: []ScopeView{{Name: "api:read"}}},
		},
		Sessions: []AccountSession{
			{Current: true, CreatedAt: sampleTime, AuthTime: sampleTime, ExpiresAt: sampleTime.Add(12 * time.Hour)},
			{CreatedAt: sampleTime.Add(-time.Hour), AuthTime: sampleTime.Add(-time.Hour), ExpiresAt: sampleTime.Add(11 * time.Hour)},
		},
		CSRFToken: "tok-123", MinPassword: 8,
	}
}
