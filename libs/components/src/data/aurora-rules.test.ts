import {
  acuRangeProblems,
  auroraLogGroupName,
  backupWindowProblem,
  databaseNameProblem,
  maintenanceWindowProblem,
  parameterGroupFamily,
} from "./aurora-rules";

const ACU_RULE = "must be a number of ACUs from 0.5 to 256 in steps of 0.5";

describe("acuRangeProblems (Serverless v2 capacity)", () => {
  describe.each([
    [0.5, 2, []],
    [0.5, 1, []],
    [2, 2, []],
    [0.5, 256, []],
    [0.3, 2, [["minCapacity", ACU_RULE]]],
    [0, 2, [["minCapacity", ACU_RULE]]],
    [1.25, 2, [["minCapacity", ACU_RULE]]],
    [0.5, 256.5, [["maxCapacity", ACU_RULE]]],
    [0.5, 0.5, [["maxCapacity", "must be at least 1 ACU (AWS minimum for the maximum capacity)"]]],
    [4, 2, [["minCapacity", "must be <= maxCapacity (2)"]]],
    [Number.NaN, 2, [["minCapacity", ACU_RULE]]],
  ])("min %p, max %p", (min, max, expected) => {
    it(expected.length === 0 ? "is a valid range" : "is rejected with the rule", () => {
      expect(acuRangeProblems(min, max)).toEqual(expected);
    });
  });
});

describe("backupWindowProblem", () => {
  it.each([
    ["03:00-04:00", undefined],
    ["23:45-00:15", undefined],
    ["03:00-03:30", undefined],
    ["03:00-03:29", "must be at least 30 minutes long"],
    ["3:00-4:00", "must be hh:mm-hh:mm in UTC, e.g. 03:00-04:00"],
    ["24:00-01:00", "must be hh:mm-hh:mm in UTC, e.g. 03:00-04:00"],
    ["sun:03:00-sun:04:00", "must be hh:mm-hh:mm in UTC, e.g. 03:00-04:00"],
  ])("%j → %p", (window, problem) => {
    expect(backupWindowProblem(window)).toBe(problem);
  });
});

describe("maintenanceWindowProblem", () => {
  it.each([
    ["sun:04:30-sun:05:30", "03:00-04:00", undefined],
    ["sat:23:30-sun:00:30", "03:00-04:00", undefined],
    ["sun:23:30-mon:00:30", "03:00-04:00", undefined],
    ["mon:03:30-mon:04:30", "03:00-04:00", "must not overlap the backup window 03:00-04:00"],
    ["sun:23:30-mon:00:30", "00:00-00:30", "must not overlap the backup window 00:00-00:30"],
    ["tue:04:00-tue:04:29", "03:00-04:00", "must be at least 30 minutes long"],
    ["mon:05:00-tue:05:01", "03:00-04:00", "must be at most 24 hours long"],
    [
      "Sun:04:30-Sun:05:30",
      "03:00-04:00",
      "must be ddd:hh:mm-ddd:hh:mm in UTC (ddd = mon..sun), e.g. sun:04:30-sun:05:30",
    ],
    ["04:30-05:30", "03:00-04:00", "must be ddd:hh:mm-ddd:hh:mm in UTC (ddd = mon..sun), e.g. sun:04:30-sun:05:30"],
  ])("%j with backups at %j → %p", (window, backup, problem) => {
    expect(maintenanceWindowProblem(window, backup)).toBe(problem);
  });
});

describe("databaseNameProblem", () => {
  it.each([
    ["mlapi", undefined],
    ["ml_api_2", undefined],
    ["a".repeat(63), undefined],
    ["a".repeat(64), "must start with a letter and hold 1-63 letters, digits or underscores"],
    ["2mlapi", "must start with a letter and hold 1-63 letters, digits or underscores"],
    ["ml-api", "must start with a letter and hold 1-63 letters, digits or underscores"],
    ["", "must start with a letter and hold 1-63 letters, digits or underscores"],
    ["postgres", "is a database RDS or PostgreSQL already creates"],
    ["template1", "is a database RDS or PostgreSQL already creates"],
  ])("%j → %p", (name, problem) => {
    expect(databaseNameProblem(name)).toBe(problem);
  });
});

describe("names derived from the major and the cluster", () => {
  it.each([
    [16, "aurora-postgresql16"],
    [17, "aurora-postgresql17"],
  ] as const)("major %p uses parameter group family %s", (major, family) => {
    expect(parameterGroupFamily(major)).toBe(family);
  });

  it("puts the postgresql log where RDS exports it", () => {
    expect(auroraLogGroupName("mlapi-db-dev")).toBe("/aws/rds/cluster/mlapi-db-dev/postgresql");
  });
});
