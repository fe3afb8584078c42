// Command contracts-go proves that proto/ compiles for Go and that Go and TypeScript agree on the wire: it prints
// one sample message of each contract as "<message> <hex of its protobuf bytes>", and
// packages/contracts/test/contracts-go.test.ts decodes them with the TypeScript types generated from the same files.
package main

import (
	"encoding/hex"
	"fmt"
	"os"

	"google.golang.org/protobuf/proto"

	authv1 "vcd-simple-blog/tools/contracts-go/gen/go/auth/v1"
	userv1 "vcd-simple-blog/tools/contracts-go/gen/go/user/v1"
)

func main() {
	samples := []proto.Message{
		&authv1.ValidateTokenRequest{SessionId: "s-1", UserId: "u-1"},
		&authv1.ValidateTokenResponse{Valid: true, UserId: "u-1", Username: "jake", Role: "editor", ActiveUntilMs: 1_767_225_600_000},
		&userv1.GetProfilesRequest{UserIds: []string{"u-1", "u-2"}, ViewerId: "u-3", Usernames: []string{"jake"}},
		&userv1.GetProfilesResponse{Profiles: []*userv1.Profile{
			{UserId: "u-1", Username: "jake", Bio: proto.String("I work at statefarm"), Following: true},
			{UserId: "u-2", Username: "ann", Image: proto.String("")},
		}},
		&userv1.ListFollowingRequest{UserId: "u-3"},
		&userv1.ListFollowingResponse{UserIds: []string{"u-1"}},
	}
	for _, m := range samples {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s %s\n", m.ProtoReflect().Descriptor().FullName(), hex.EncodeToString(b))
	}
}
