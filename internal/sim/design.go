package sim

import (
	"path/filepath"

	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/config"
)

// Template is a design read from its infrastructure: a CloudFormation template or a cdk.out
// directory (internal/cfn).
type Template struct {
	Path    string
	Options cfn.Options // Options.Lookup is set by LoadDesign
	// Notice is told, once, what reading the template skipped or made up; nil tells nothing.
	Notice func(string)
}

// Dir is the folder whose .env is read: the template's (a cdk.out's parent's for a cdk.out,
// where the app and its .env live).
func (t *Template) Dir() string {
	p := filepath.Clean(t.Path)
	if filepath.Base(p) == "manifest.json" {
		p = filepath.Dir(p)
	}
	return filepath.Dir(p)
}

// LoadDesign loads the design: the template when tmpl is set, else the pipes file at pipesFile
// (the embedded weather-stats design when ""). Every command that runs pipes loads through it,
// so they all take the same inputs. opts.Lookup is the environment and .env (and pipesim's own
// variables, such as the embedded Momento server's endpoint).
func LoadDesign(pipesFile string, tmpl *Template, opts config.Options) (*config.Config, error) {
	if tmpl == nil {
		return LoadPipes(pipesFile, opts)
	}
	co := tmpl.Options
	co.Lookup = opts.Lookup
	r, err := cfn.Load(tmpl.Path, co)
	if err != nil {
		return nil, err
	}
	if tmpl.Notice != nil {
		for _, n := range r.Notes {
			tmpl.Notice(n)
		}
	}
	opts.Lookup = nil // r.Lookup asks co.Lookup after the template's secrets
	return r.Config(opts)
}

// designDir is where the .env of a design is.
func designDir(pipesFile string, tmpl *Template) string {
	if tmpl != nil {
		return tmpl.Dir()
	}
	if pipesFile != "" {
		return filepath.Dir(pipesFile)
	}
	return "."
}
