// Package webui is pipesim's web page on localhost, for any design: a person puts or deletes an
// item in a table (a form built from the table's key schema) and watches, live, what each pipe
// did with each record: its filter decision, the request it sent (secrets as ********), the
// answer, retries and dead letters; beside it, the destinations' side (Momento's caches and
// topics, or what each other API destination was sent) and the dead-letter queues. It is an
// ordinary http.Handler; `pipesim run --web ADDR` serves it.
package webui
