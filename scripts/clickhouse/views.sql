-- SPDX-License-Identifier: GPL-2.0
-- Links and nodes from xhop scan's replies, per measurement and vantage
-- point, as Iris derives them from caracal's results. For the default
-- table xhop.replies (single node, or the Distributed table of a
-- cluster: then run this on the nodes that are queried); for another,
-- replace "xhop." and "replies". ClickHouse 18.16 and later.
--
-- xhop.links: two addresses that answered one target's probes at TTLs t
-- and t + 1 (every pair of them when a TTL had several answers), once
-- per measurement and vantage point. A silent TTL between two answers
-- gives no link, as in Iris.
CREATE VIEW IF NOT EXISTS xhop.links AS
SELECT DISTINCT
    measurement,
    vantage,
    near.1 AS near_ttl,
    near.2 AS near_addr,
    arrayJoin(arrayFilter(h -> h.1 = near.1 + 1, hops)).2 AS far_addr
FROM
(
    SELECT
        measurement,
        vantage,
        probe_dst,
        probe_flow,
        groupUniqArray((probe_ttl, reply_src)) AS hops
    FROM xhop.replies
    GROUP BY measurement, vantage, probe_dst, probe_flow
)
ARRAY JOIN hops AS near;

-- xhop.nodes: every address that answered, per measurement and vantage
-- point, with the lowest TTL it answered at and its number of replies
CREATE VIEW IF NOT EXISTS xhop.nodes AS
SELECT
    measurement,
    vantage,
    reply_src AS addr,
    min(probe_ttl) AS min_ttl,
    count() AS replies
FROM xhop.replies
GROUP BY measurement, vantage, addr;
