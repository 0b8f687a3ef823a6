// Storage takes a block volume through its life: created, attached to an
// instance, grown, snapshotted, restored from the snapshot, detached, and
// finally everything deleted again. Each step waits until the volume or
// snapshot has settled.
//
// With LAMBDA_API_KEY set it uses the real API (and creates billed
// resources, deleted at the end); without it, it runs against the
// in-process simulator.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/storage
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "storage:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}
	poll := lambda.WithWaitDelay(200*time.Millisecond, 5*time.Second)

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "db-server",
		InstanceType: lambda.InstanceTypeCompute2x, Region: "us-west-1", Image: "ubuntu-22.04"})
	if err != nil {
		return fmt.Errorf("create instance: %w", err)
	}
	instID := inst.ID
	defer cleanup("instance", func(ctx context.Context) error { return client.Instances.Delete(ctx, instID) })
	if _, err := client.Instances.WaitUntilReady(ctx, instID, poll); err != nil {
		return err
	}
	fmt.Println("instance running:", instID)

	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "db-data", SizeGB: 100, Region: "us-west-1"})
	if err != nil {
		return fmt.Errorf("create volume: %w", err)
	}
	volID := vol.ID
	defer cleanup("volume", func(ctx context.Context) error { return client.Volumes.Delete(ctx, volID) })
	// Each change is a call, then a wait until the volume has settled again.
	settle := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("volume %s: %w", what, err)
		}
		v, err := client.Volumes.WaitUntilReady(ctx, volID, poll)
		if err != nil {
			return err
		}
		fmt.Printf("volume %-9s %s: %d GB, %s %s\n", what, v.ID, v.SizeGB, v.Status, v.InstanceID)
		return nil
	}
	if err := settle("created", nil); err != nil {
		return err
	}
	_, err = client.Volumes.Attach(ctx, volID, &lambda.AttachVolumeRequest{InstanceID: instID})
	if err := settle("attached", err); err != nil {
		return err
	}
	_, err = client.Volumes.Resize(ctx, volID, &lambda.ResizeVolumeRequest{SizeGB: 200})
	if err := settle("resized", err); err != nil {
		return err
	}

	snap, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "db-data-before-migration", VolumeID: volID})
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	snapID := snap.ID
	defer cleanup("snapshot", func(ctx context.Context) error { return client.Snapshots.Delete(ctx, snapID) })
	if snap, err = client.Snapshots.WaitUntilReady(ctx, snapID, poll); err != nil {
		return err
	}
	fmt.Printf("snapshot taken   %s: %d GB, %s\n", snap.ID, snap.SizeGB, snap.Status)
	if _, err := client.Snapshots.Restore(ctx, snapID); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if snap, err = client.Snapshots.WaitUntilReady(ctx, snapID, poll); err != nil {
		return err
	}
	fmt.Printf("snapshot restored onto %s, snapshot %s again\n", snap.VolumeID, snap.Status)

	_, err = client.Volumes.Detach(ctx, volID)
	return settle("detached", err)
}

// cleanup deletes what the example made, even after a failure, with a
// context of its own: the main one may be the reason we are leaving.
func cleanup(what string, del func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := del(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "storage: cleanup: delete %s: %v\n", what, err)
		return
	}
	fmt.Println("deleted", what)
}
