// Package admin holds the operations an administrator performs on users,
// OAuth clients, and the developer console's projects and APIs, with their
// validation rules, so that the command line, the admin API and the
// console all enforce the same ones. A project owns APIs (protected
// resources, each named by an identifier that is its tokens' audience,
// RFC 8707 §2) and clients (credentials); a client that lists APIs may
// only be allowed scopes those APIs define.
package admin
