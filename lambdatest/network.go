package lambdatest

import (
	"hash/fnv"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type firewallRule struct {
	meta
	protocol  string
	portRange string
	source    string
	action    string
}

type wireFirewallRule struct {
	ID          string `json:"id"`
	Protocol    string `json:"protocol"`
	PortRange   string `json:"port_range,omitempty"`
	Source      string `json:"source"`
	Action      string `json:"action"`
	Description string `json:"description,omitempty"`
	CreatedAt   string `json:"created_at"`
}

func (r *firewallRule) view() wireFirewallRule {
	return wireFirewallRule{ID: r.id, Protocol: r.protocol, PortRange: r.portRange, Source: r.source,
		Action: r.action, Description: r.name, CreatedAt: stamp(r.created)}
}

func (s *Server) createRule(c *call) reply {
	var req struct {
		Protocol    string `json:"protocol"`
		PortRange   string `json:"port_range"`
		Source      string `json:"source"`
		Action      string `json:"action"`
		Description string `json:"description"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("protocol", req.Protocol, "source", req.Source, "action", req.Action); e != nil {
		return c.fail(e)
	}
	if _, _, err := net.ParseCIDR(req.Source); err != nil {
		return c.fail(fieldError("source", req.Source, "source must be a CIDR block such as 0.0.0.0/0"))
	}
	if (req.Protocol == "tcp" || req.Protocol == "udp") && req.PortRange == "" {
		return c.fail(fieldError("port_range", nil, "port_range is required for %s", req.Protocol))
	}
	if req.PortRange != "" && !validPortRange(req.PortRange) {
		return c.fail(fieldError("port_range", req.PortRange, "port_range must be a port or a range low-high within 1-65535"))
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	r := &firewallRule{meta: st.newMeta("fw_", req.Description, c.now), protocol: req.Protocol,
		portRange: req.PortRange, source: req.Source, action: req.Action}
	st.rules[r.id] = r
	return c.created(r.view())
}

func validPortRange(s string) bool {
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil || a < 1 || a > 65535 {
		return false
	}
	if !isRange {
		return true
	}
	b, err := strconv.Atoi(hi)
	return err == nil && b >= a && b <= 65535
}

func (s *Server) listRules(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	got, pg := page(filter(st.rules, nil), func(r *firewallRule) meta { return r.meta }, (*firewallRule).view, p)
	return c.list(got, pg)
}

func (s *Server) deleteRule(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	if _, ok := st.rules[c.id]; !ok {
		return c.fail(notFound("firewall rule", c.id))
	}
	delete(st.rules, c.id)
	return noContent()
}

type vpn struct {
	meta
	lc     lifecycle
	region string
}

type wireVPN struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Region    string `json:"region"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
}

func (v *vpn) view() wireVPN {
	return wireVPN{ID: v.id, Name: v.name, Region: v.region, Status: v.lc.status, CreatedAt: stamp(v.created)}
}

func (s *Server) createVPN(c *call) reply {
	var req struct {
		Name   string `json:"name"`
		Region string `json:"region"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name, "region", req.Region); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	v := &vpn{meta: st.newMeta("vpn_", req.Name, c.now), region: req.Region}
	st.vpns[v.id] = v
	st.begin(&v.lc, c.now, "pending", []string{"active"}, nil)
	return c.created(v.view())
}

func (s *Server) listVPNs(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	q := c.query()
	status, region := q.Get("status"), q.Get("region")
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.vpns, func(v *vpn) bool {
		return (status == "" || v.lc.status == status) && (region == "" || v.region == region)
	})
	got, pg := page(items, func(v *vpn) meta { return v.meta }, (*vpn).view, p)
	return c.list(got, pg)
}

type wireNetwork struct {
	InstanceID    string             `json:"instance_id"`
	PublicIP      string             `json:"public_ip,omitempty"`
	PrivateIP     string             `json:"private_ip,omitempty"`
	VPCID         string             `json:"vpc_id"`
	FirewallRules []wireFirewallRule `json:"firewall_rules"`
}

func (s *Server) instanceNetwork(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	in, e := st.instance(c.id)
	if e != nil {
		return c.fail(e)
	}
	v := in.view()
	// Every rule applies to every instance: the simulator has one VPC.
	rules := oldestFirst(filter(st.rules, nil), func(r *firewallRule) meta { return r.meta })
	return c.ok(wireNetwork{InstanceID: in.id, PublicIP: v.PublicIP, PrivateIP: v.PrivateIP,
		VPCID: "vpc_default", FirewallRules: views(rules, (*firewallRule).view)})
}

type wireMetricSample struct {
	Timestamp       string  `json:"timestamp"`
	CPUPercent      float64 `json:"cpu_percent"`
	MemoryPercent   float64 `json:"memory_percent"`
	DiskReadBytes   int64   `json:"disk_read_bytes"`
	DiskWriteBytes  int64   `json:"disk_write_bytes"`
	NetworkInBytes  int64   `json:"network_in_bytes"`
	NetworkOutBytes int64   `json:"network_out_bytes"`
}

type wireMetrics struct {
	InstanceID string             `json:"instance_id"`
	Period     int                `json:"period"`
	Start      string             `json:"start"`
	End        string             `json:"end"`
	Samples    []wireMetricSample `json:"samples"`
}

// sample computes a plausible, deterministic sample of instance id at t: the
// same instance and time always give the same numbers.
func sample(id string, t time.Time) wireMetricSample {
	h := fnv.New64a()
	h.Write([]byte(id))
	h.Write([]byte(strconv.FormatInt(t.UnixNano(), 10)))
	x := h.Sum64()
	part := func(shift uint, n uint64) uint64 { return (x >> shift) % n }
	return wireMetricSample{
		Timestamp:       stamp(t),
		CPUPercent:      float64(500+part(0, 9000)) / 100,   // 5.00 … 94.99
		MemoryPercent:   float64(2000+part(13, 7000)) / 100, // 20.00 … 89.99
		DiskReadBytes:   int64(part(23, 50_000_000)),
		DiskWriteBytes:  int64(part(31, 20_000_000)),
		NetworkInBytes:  int64(part(37, 80_000_000)),
		NetworkOutBytes: int64(part(43, 40_000_000)),
	}
}

// timeParam reads the RFC 3339 query parameter name, in UTC; def when it
// is absent.
func timeParam(q url.Values, name string, def time.Time) (time.Time, *apiError) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fieldError(name, v, "%s must be an RFC 3339 time", name)
	}
	return t.UTC(), nil
}

// maxSamples bounds one metrics answer (a day at one-minute periods).
const maxSamples = 1440

func (s *Server) instanceMetrics(c *call) reply {
	q := c.query()
	period := 60
	if v := q.Get("period"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || (n != 60 && n != 300 && n != 3600) {
			e := fieldError("period", v, "period must be 60, 300 or 3600 seconds")
			e.allowed = []string{"60", "300", "3600"}
			return c.fail(e)
		}
		period = n
	}
	// The end defaults to now and the start to an hour before the end
	// (openapi.yaml), so the end is read first.
	end, e := timeParam(q, "end", c.now.UTC())
	if e != nil {
		return c.fail(e)
	}
	start, e := timeParam(q, "start", end.Add(-time.Hour))
	if e != nil {
		return c.fail(e)
	}
	if !start.Before(end) {
		return c.fail(fieldError("end", stamp(end), "end must be after start"))
	}
	step := time.Duration(period) * time.Second
	if end.Sub(start)/step > maxSamples {
		return c.fail(fieldError("start", stamp(start), "the window holds more than %d samples: shorten it or use a longer period", maxSamples))
	}
	st := s.st.lock(c.now)
	in, e := st.instance(c.id)
	st.unlock()
	if e != nil {
		return c.fail(e)
	}
	samples := []wireMetricSample{}
	for t := start.Truncate(step); !t.After(end); t = t.Add(step) {
		if !t.Before(start) {
			samples = append(samples, sample(in.id, t))
		}
	}
	return c.ok(wireMetrics{InstanceID: in.id, Period: period, Start: stamp(start), End: stamp(end), Samples: samples})
}
