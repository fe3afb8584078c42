// The Go side of the gRPC contracts in proto/ (docs/adr/0017-generated-grpc-contracts.md): scripts/contracts-go.sh
// copies this module to a temp folder, builds protoc-gen-go at the version required here, generates proto/ into
// gen/go/ with it (buf, managed mode sets go_package), and builds and runs main.go.
module vcd-simple-blog/tools/contracts-go

go 1.26

require google.golang.org/protobuf v1.36.12
