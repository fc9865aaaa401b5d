package dev.routemetrics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VerifyCommandTest {

  @Test
  @DisplayName("distinct counts are exact below 10,000 and within 2 % from there on; every other field is exact")
  void shouldAllowTheSketchErrorOnlyWhereDomainAllowsIt() {
    VerifyCommand verify = new VerifyCommand();
    assertThat(verify.isEstimate("active_accounts", "9999", "10000")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "48639", "48441")).isTrue();   // -0.41 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51000")).isTrue(); // +2.00 %
    assertThat(verify.isEstimate("visible_end_users", "50000", "51001")).isFalse();
    assertThat(verify.isEstimate("requests", "50000", "50001")).isFalse();
    assertThat(verify.isEstimate("active_accounts", "50000", null)).isFalse();
  }
}
