package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.status.StartRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartRecordsTest {
  static String record(String cpu, String createdAt) {
    EffectiveQuotaStatus q = new EffectiveQuotaStatus();
    q.setCpuLimit(cpu);
    return new StartRecord(q, List.of(), List.of(), createdAt).toJson();
  }

  @Test
  void aRecordReadsAsItsJsonSaysAndIsReadOnce() {
    StartRecords records = new StartRecords();
    String json = record("2", "2026-03-01T10:00:00Z");
    StartRecord first = records.of(json).orElseThrow();
    assertThat(first).isEqualTo(StartRecord.fromJson(json).orElseThrow());
    assertThat(records.of(json).orElseThrow()).isSameAs(first);
    assertThat(records.of(new String(json))).contains(first);
  }

  @Test
  void recordsOfTheSameQuotaShareItButKeepTheirOwnCreationTime() {
    StartRecords records = new StartRecords();
    StartRecord a = records.of(record("2", "2026-03-01T10:00:00Z")).orElseThrow();
    StartRecord b = records.of(record("2", "2026-03-01T11:00:00Z")).orElseThrow();
    StartRecord other = records.of(record("4", "2026-03-01T11:00:00Z")).orElseThrow();
    assertThat(b.quota()).isSameAs(a.quota());
    assertThat(b.createdAt()).isEqualTo("2026-03-01T11:00:00Z");
    assertThat(other.quota()).isNotSameAs(a.quota());
    assertThat(other.quota().getCpuLimit()).isEqualTo("4");
  }

  @Test
  void whatIsNotARecordIsNone() {
    StartRecords records = new StartRecords();
    assertThat(records.of(null)).isEmpty();
    assertThat(records.of("{not json")).isEmpty();
  }
}
