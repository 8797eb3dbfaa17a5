// Package admin holds the operations an administrator performs on users and
// OAuth clients, with their validation rules, so that the command line, the
// admin API and the console all enforce the same ones.
package admin
