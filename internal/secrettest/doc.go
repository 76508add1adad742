// Package secrettest helps tests prove that a secret does not appear in what pipesim prints or
// logs: the secret values whose encodings differ from their text, and a check for every form a
// value can take in a URL, a header or a JSON string (HTML-safe or not, once or twice encoded).
// Only tests import it.
package secrettest
