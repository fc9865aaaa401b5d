package dev.routemetrics.schemas.access;

import dev.routemetrics.schemas.registry.Channel;

/**
 * Who a request speaks for, to the ingest and to the query service alike. The lab's own keys
 * (operators, finance, data teams) may write and read any channel; a partner's key only the
 * channels the registry gives to that partner.
 *
 * @param partnerId null for the lab's own keys
 */
public record Principal(String keyId, String partnerId) {

  public boolean isLab() {
    return partnerId == null;
  }

  public boolean mayWrite(Channel channel) {
    return isLab() || partnerId.equals(channel.partnerId());
  }
}
