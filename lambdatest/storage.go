package lambdatest

import (
	"time"
)

type volume struct {
	meta
	lc         lifecycle
	sizeGB     int
	region     string
	instanceID string
}

type wireVolume struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	SizeGB     int     `json:"size_gb"`
	Region     string  `json:"region"`
	Status     string  `json:"status"`
	InstanceID *string `json:"instance_id"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

func (v *volume) view() wireVolume {
	w := wireVolume{ID: v.id, Name: v.name, SizeGB: v.sizeGB, Region: v.region, Status: v.lc.status,
		CreatedAt: stamp(v.created), UpdatedAt: stamp(v.lc.updated)}
	if v.instanceID != "" {
		id := v.instanceID
		w.InstanceID = &id
	}
	return w
}

func (v *volume) event() map[string]any {
	data := map[string]any{"volume_id": v.id, "status": v.lc.status}
	if v.instanceID != "" {
		data["instance_id"] = v.instanceID
	}
	return data
}

func (s *Server) createVolume(c *call) reply {
	var req struct {
		Name   string `json:"name"`
		SizeGB int    `json:"size_gb"`
		Region string `json:"region"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name, "region", req.Region); e != nil {
		return c.fail(e)
	}
	if req.SizeGB < 1 || req.SizeGB > 16384 {
		return c.fail(fieldError("size_gb", req.SizeGB, "size_gb must be from 1 to 16384"))
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	v := &volume{meta: st.newMeta("vol_", req.Name, c.now), sizeGB: req.SizeGB, region: req.Region}
	st.volumes[v.id] = v
	st.begin(&v.lc, c.now, "creating", []string{"available"}, nil)
	s.emit("volume.created", v.event())
	return c.created(v.view())
}

func (s *Server) listVolumes(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	q := c.query()
	status, region := q.Get("status"), q.Get("region")
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.volumes, func(v *volume) bool {
		return (status == "" || v.lc.status == status) && (region == "" || v.region == region)
	})
	got, pg := page(items, func(v *volume) meta { return v.meta }, (*volume).view, p)
	return c.list(got, pg)
}

func (st *state) volume(id string) (*volume, *apiError) { return find(st.volumes, "volume", id) }

func (s *Server) getVolume(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	v, e := st.volume(c.id)
	if e != nil {
		return c.fail(e)
	}
	return c.ok(v.view())
}

func (s *Server) deleteVolume(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	v, e := st.volume(c.id)
	if e != nil {
		return c.fail(e)
	}
	if v.instanceID != "" {
		return c.fail(conflict("volume %s is attached to instance %s: detach it before deleting it", v.id, v.instanceID))
	}
	for _, sn := range st.snapshots {
		if sn.volumeID == v.id && sn.lc.status == "restoring" {
			return c.fail(conflict("snapshot %s is being restored onto volume %s: wait until it is available", sn.id, v.id))
		}
	}
	st.forget(&v.lc)
	delete(st.volumes, v.id)
	v.lc.status = "deleted"
	s.emit("volume.deleted", v.event())
	return noContent()
}

func (s *Server) attachVolume(c *call) reply {
	var req struct {
		InstanceID string `json:"instance_id"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("instance_id", req.InstanceID); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	v, e := st.volume(c.id)
	if e != nil {
		return c.fail(e)
	}
	if _, ok := st.instances[req.InstanceID]; !ok {
		e := notFound("instance", req.InstanceID)
		e.field, e.value = "instance_id", req.InstanceID
		return c.fail(e)
	}
	if v.lc.status != "available" {
		return c.fail(conflict("cannot attach volume %s while it is %s (allowed from: available)", v.id, v.lc.status))
	}
	v.instanceID = req.InstanceID
	st.begin(&v.lc, c.now, "attaching", []string{"attached"}, func(time.Time) { s.emit("volume.attached", v.event()) })
	return c.ok(v.view())
}

func (s *Server) detachVolume(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	v, e := st.volume(c.id)
	if e != nil {
		return c.fail(e)
	}
	if v.lc.status != "attached" {
		return c.fail(conflict("cannot detach volume %s while it is %s (allowed from: attached)", v.id, v.lc.status))
	}
	from := v.instanceID
	st.begin(&v.lc, c.now, "detaching", []string{"available"}, func(time.Time) {
		v.instanceID = ""
		data := v.event()
		data["instance_id"] = from
		s.emit("volume.detached", data)
	})
	return c.ok(v.view())
}

func (s *Server) resizeVolume(c *call) reply {
	var req struct {
		SizeGB int `json:"size_gb"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	v, e := st.volume(c.id)
	if e != nil {
		return c.fail(e)
	}
	if req.SizeGB <= v.sizeGB || req.SizeGB > 16384 {
		return c.fail(fieldError("size_gb", req.SizeGB,
			"size_gb must be larger than the current %d GB (volumes only grow) and at most 16384", v.sizeGB))
	}
	if v.lc.status != "available" && v.lc.status != "attached" {
		return c.fail(conflict("cannot resize volume %s while it is %s (allowed from: available, attached)", v.id, v.lc.status))
	}
	v.sizeGB = req.SizeGB
	st.begin(&v.lc, c.now, "resizing", []string{v.lc.status}, func(time.Time) { s.emit("volume.resized", v.event()) })
	return c.ok(v.view())
}

type snapshot struct {
	meta
	lc       lifecycle
	volumeID string
	sizeGB   int
}

type wireSnapshot struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	VolumeID  string `json:"volume_id"`
	SizeGB    int    `json:"size_gb"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

func (sn *snapshot) view() wireSnapshot {
	return wireSnapshot{ID: sn.id, Name: sn.name, VolumeID: sn.volumeID, SizeGB: sn.sizeGB,
		Status: sn.lc.status, CreatedAt: stamp(sn.created)}
}

func (sn *snapshot) event() map[string]any {
	return map[string]any{"snapshot_id": sn.id, "volume_id": sn.volumeID, "status": sn.lc.status}
}

func (s *Server) createSnapshot(c *call) reply {
	var req struct {
		Name     string `json:"name"`
		VolumeID string `json:"volume_id"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name, "volume_id", req.VolumeID); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	v, ok := st.volumes[req.VolumeID]
	if !ok {
		e := notFound("volume", req.VolumeID)
		e.field, e.value = "volume_id", req.VolumeID
		return c.fail(e)
	}
	sn := &snapshot{meta: st.newMeta("snap_", req.Name, c.now), volumeID: v.id, sizeGB: v.sizeGB}
	st.snapshots[sn.id] = sn
	st.begin(&sn.lc, c.now, "creating", []string{"available"}, nil)
	s.emit("snapshot.created", sn.event())
	return c.created(sn.view())
}

func (s *Server) listSnapshots(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	status, volumeID := c.query().Get("status"), c.query().Get("volume_id")
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.snapshots, func(sn *snapshot) bool {
		return (status == "" || sn.lc.status == status) && (volumeID == "" || sn.volumeID == volumeID)
	})
	got, pg := page(items, func(sn *snapshot) meta { return sn.meta }, (*snapshot).view, p)
	return c.list(got, pg)
}

func (st *state) snapshot(id string) (*snapshot, *apiError) {
	return find(st.snapshots, "snapshot", id)
}

func (s *Server) getSnapshot(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	sn, e := st.snapshot(c.id)
	if e != nil {
		return c.fail(e)
	}
	return c.ok(sn.view())
}

func (s *Server) deleteSnapshot(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	sn, e := st.snapshot(c.id)
	if e != nil {
		return c.fail(e)
	}
	if sn.lc.status == "restoring" {
		return c.fail(conflict("snapshot %s is being restored: wait until it is available", sn.id))
	}
	st.forget(&sn.lc)
	delete(st.snapshots, sn.id)
	return noContent()
}

func (s *Server) restoreSnapshot(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	sn, e := st.snapshot(c.id)
	if e != nil {
		return c.fail(e)
	}
	if sn.lc.status != "available" {
		return c.fail(conflict("cannot restore snapshot %s while it is %s (allowed from: available)", sn.id, sn.lc.status))
	}
	if _, ok := st.volumes[sn.volumeID]; !ok {
		return c.fail(conflict("the source volume %s of snapshot %s no longer exists", sn.volumeID, sn.id))
	}
	st.begin(&sn.lc, c.now, "restoring", []string{"available"}, func(time.Time) { s.emit("snapshot.restored", sn.event()) })
	return c.ok(sn.view())
}
