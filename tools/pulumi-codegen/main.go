// A language plugin that answers only GeneratePackage, with the code generators of pkg/v3: what
// `pulumi package gen-sdk --language <lang>` asks the language's host for. The hosts of the CLI's
// release live in modules the module proxy refuses, and the Python host built for running programs
// (sdk/v3 v3.68.0) predates GeneratePackage. pkg/v3 v3.215.0 is the release the Kubernetes
// provider tool builds with, and still holds the .NET generator (later releases moved it out).
// Installed under each language's plugin name (pulumi-language-python, -go, -dotnet), it
// generates by the name it runs as.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	dotnetgen "github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The package's logo, which the .NET generator fetches from the schema's logoUrl over HTTP: the
// tests have no Internet, so every request the generators make is answered with it.
//
//go:embed logo.png
var logo []byte

type logoTransport struct{}

func (logoTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Request: req, Header: http.Header{"Content-Type": {"image/png"}},
		Body: io.NopCloser(bytes.NewReader(logo)), ContentLength: int64(len(logo)),
	}, nil
}

type generator struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string
}

// The version the CLI reads: the code generators', which are the CLI's own.
func (g *generator) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: "3.215.0"}, nil
}

func (g *generator) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewCachedLoader(loader), schema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	tool := "pulumi-language-" + g.language
	var files map[string][]byte
	switch g.language {
	case "python":
		files, err = pygen.GeneratePackage(tool, pkg, req.ExtraFiles, schema.NewCachedLoader(loader))
	case "dotnet":
		files, err = dotnetgen.GeneratePackage(tool, pkg, req.ExtraFiles, req.LocalDependencies)
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, req.LocalDependencies)
	default:
		err = fmt.Errorf("no code generator for %s", g.language)
	}
	if err != nil {
		return nil, err
	}
	for name, content := range files {
		target := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(target, content, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{}, nil
}

func main() {
	http.DefaultTransport = logoTransport{}
	language := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-language-")
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &generator{language: language})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
