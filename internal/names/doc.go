// Package names checks the names a pipes file or a flag gives to things pipesim turns into
// paths (pipes, dead-letter queues and log groups become files under the state directory, caches
// become segments of the Momento API's URL paths), and is the one place where such a name
// becomes a path. Each name is held to AWS's rule for its kind, and a name that would leave its
// directory (a "." or ".." segment, an absolute path) is refused: a pipes file or a flag can make
// pipesim neither read nor write outside its state directory.
package names
