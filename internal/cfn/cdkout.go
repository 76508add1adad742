package cfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pipesim/pipesim/internal/bounded"
)

// manifest is the part of a cloud assembly's manifest.json (the cdk.out directory `cdk synth`
// writes) that locates its stacks.
type manifest struct {
	Version   string              `json:"version"`
	Artifacts map[string]artifact `json:"artifacts"`
}

type artifact struct {
	Type        string `json:"type"`
	Environment string `json:"environment"` // aws://ACCOUNT/REGION
	DisplayName string `json:"displayName"`
	Properties  struct {
		TemplateFile  string `json:"templateFile"`
		StackName     string `json:"stackName"`
		DirectoryName string `json:"directoryName"` // a nested assembly (a CDK stage)
	} `json:"properties"`
}

// stackEnv is what a cdk.out says about the chosen stack.
type stackEnv struct {
	stack, region, account string
}

func isManifest(data []byte) bool {
	var m manifest
	return json.Unmarshal(data, &m) == nil && m.Artifacts != nil && m.Version != ""
}

// locate finds the template file: path itself, or the chosen stack's template in a cdk.out
// directory (or its manifest.json).
func locate(path, stack string) (string, stackEnv, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", stackEnv{}, err
	}
	dir := path
	if !st.IsDir() {
		data, err := bounded.ReadFile(path, bounded.PipesFile)
		if err != nil {
			return "", stackEnv{}, err
		}
		if !isManifest(data) {
			return path, stackEnv{}, nil
		}
		dir = filepath.Dir(path)
	}
	stacks, err := readAssembly(dir, 0)
	if err != nil {
		return "", stackEnv{}, err
	}
	return pickStack(dir, stacks, stack)
}

// cdkStack is one stack of a cloud assembly.
type cdkStack struct {
	id, name, display, template, env string
}

func readAssembly(dir string, depth int) ([]cdkStack, error) {
	data, err := bounded.ReadFile(filepath.Join(dir, "manifest.json"), bounded.PipesFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: a directory without manifest.json: want a cdk.out directory (run cdk synth) or a template file", dir)
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	var out []cdkStack
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := m.Artifacts[id]
		switch a.Type {
		case "aws:cloudformation:stack":
			name := a.Properties.StackName
			if name == "" {
				name = id
			}
			out = append(out, cdkStack{id: id, name: name, display: a.DisplayName,
				template: filepath.Join(dir, a.Properties.TemplateFile), env: a.Environment})
		case "cdk:cloud-assembly":
			if depth < 5 && a.Properties.DirectoryName != "" {
				nested, err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName), depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, nested...)
			}
		}
	}
	return out, nil
}

func pickStack(dir string, stacks []cdkStack, want string) (string, stackEnv, error) {
	if len(stacks) == 0 {
		return "", stackEnv{}, fmt.Errorf("%s: the cloud assembly has no stack", dir)
	}
	var names []string
	for _, s := range stacks {
		if want == "" && len(stacks) == 1 || want != "" && (want == s.id || want == s.name || want == s.display) {
			env := stackEnv{stack: s.name}
			env.account, env.region = parseEnvironment(s.env)
			return s.template, env, nil
		}
		names = append(names, s.display+describeID(s))
	}
	if want == "" {
		return "", stackEnv{}, fmt.Errorf("%s has %d stacks: choose one with --stack (%s)", dir, len(stacks), strings.Join(names, ", "))
	}
	return "", stackEnv{}, fmt.Errorf("%s: no stack %q (it has %s)", dir, want, strings.Join(names, ", "))
}

func describeID(s cdkStack) string {
	if s.display == "" {
		return s.name
	}
	if s.display == s.name {
		return ""
	}
	return " (" + s.name + ")"
}

// parseEnvironment reads aws://ACCOUNT/REGION; CDK writes unknown-account and unknown-region
// for an environment-agnostic stack.
func parseEnvironment(env string) (account, region string) {
	rest, ok := strings.CutPrefix(env, "aws://")
	if !ok {
		return "", ""
	}
	account, region, _ = strings.Cut(rest, "/")
	if strings.HasPrefix(account, "unknown-") {
		account = ""
	}
	if strings.HasPrefix(region, "unknown-") {
		region = ""
	}
	return account, region
}
