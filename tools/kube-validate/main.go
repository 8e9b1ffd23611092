// kube-validate decodes every document of a multi-document YAML stream (stdin) into the
// real Kubernetes Go types with strict decoding, the same check the API server applies
// with fieldValidation=Strict: unknown fields, duplicate fields and wrong types are errors.
// It prints one line per problem, "<kind>/<namespace>/<name>: <error>", and exits 1 if any.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

func main() {
	strict := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	reader := utilyaml.NewYAMLReader(bufio.NewReader(os.Stdin))
	problems, documents := 0, 0
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Printf("stream: %v\n", err)
			os.Exit(2)
		}
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(doc, &u.Object); err != nil || len(u.Object) == 0 {
			continue
		}
		documents++
		id := fmt.Sprintf("%s/%s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
		gvk := u.GroupVersionKind()
		if !scheme.Scheme.Recognizes(gvk) {
			fmt.Printf("%s: unknown apiVersion/kind %s\n", id, gvk.String())
			problems++
			continue
		}
		if _, _, err := strict.Decode(doc, nil, nil); err != nil {
			fmt.Printf("%s: %v\n", id, err)
			problems++
		}
	}
	fmt.Fprintf(os.Stderr, "kube-validate: %d documents, %d problems\n", documents, problems)
	if problems > 0 {
		os.Exit(1)
	}
}
