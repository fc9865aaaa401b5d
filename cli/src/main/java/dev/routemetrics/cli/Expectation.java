package dev.routemetrics.cli;

import java.util.Map;

/**
 * What a burst of demo traffic implies: requests per channel over [from, until). Written by
 * demo-traffic, checked by report.
 */
record Expectation(String from, String until, Map<String, Long> requests) {}
