// Package config holds Gatehouse's one configuration struct: its defaults,
// how flags and GATEHOUSE_* environment variables fill it, and Validate.
package config
