import Fluent
import HuzhuCore
import SQLKit

/// Worker details a roster carries: phone, basic-insurance type, categories, bank account.
struct M003_WorkerDetails: AsyncMigration {
  var name: String { "M003_WorkerDetails" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    try await database.schema("workers").field("phone", .string).update()
    try await database.schema("workers")
      .field("insurance_type", .string, .required, .sql(.default(InsuranceType.urbanEmployee.rawValue))).update()
    try await database.schema("workers").field("categories", .string, .required, .sql(.default(""))).update()
    try await database.schema("workers").field("bank_name", .string).update()
    try await database.schema("workers").field("bank_account", .string).update()
  }

  func revert(on database: any Database) async throws {
    // SQLite drops one column per statement.
    for column in ["phone", "insurance_type", "categories", "bank_name", "bank_account"] {
      try await database.schema("workers").deleteField(.string(column)).update()
    }
  }
}
