#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
# Write a GeoLite2-ASN-style MaxMind DB for the --asn-db tests with
# Debian's MaxMind::DB::Writer (libmaxmind-db-writer-perl): an independent
# writer, so xhop's reader (libmaxminddb) is checked against the format,
# not against itself. Usage: mmdb_write.pl OUT.mmdb < lines of
# "PREFIX/LEN ASN" (IPv4 or IPv6); blank lines and '#' comments skipped.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: $0 OUT.mmdb < 'PREFIX/LEN ASN' lines\n";
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version            => 6,
	record_size           => 24,
	database_type         => 'GeoLite2-ASN',
	languages             => ['en'],
	description           => { en => 'xhop test ASN database' },
	# the lab lives in 198.18.0.0/15 and 2001:2::/48, which the writer
	# drops by default as reserved space
	remove_reserved_networks => 0,
	# IPv4 as libmaxminddb looks it up: the ::a.b.c.d subtree
	alias_ipv6_to_ipv4    => 0,
	map_key_type_callback => sub {
		{ autonomous_system_number => 'uint32',
		  autonomous_system_organization => 'utf8_string' }->{ $_[0] };
	},
);
while (my $line = <STDIN>) {
	next if $line =~ /^\s*(#|$)/;
	my ($net, $asn) = split ' ', $line;
	die "bad line: $line" unless defined $asn && $asn =~ /^\d+$/;
	$tree->insert_network($net, { autonomous_system_number => $asn + 0,
				      autonomous_system_organization => "AS$asn test" });
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
