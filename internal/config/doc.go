// Package config reads a pipes file: it resolves ${VAR} from the environment and .env, validates
// every pipe, destination and connection, and compiles filters, templates and HTTP parameters once,
// so nothing a user wrote is parsed per record. Errors name the pipe and the field.
package config
