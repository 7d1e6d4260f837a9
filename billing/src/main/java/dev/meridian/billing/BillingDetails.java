package dev.meridian.billing;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Whom a tenant's invoices are addressed to and in which language they are rendered: legal name, postal address,
 * country (ISO 3166-1 alpha-2), VAT or tax id. The country and VAT id also decide the tax of accounts in an EU VAT
 * region ({@code tax/TaxPolicy}).
 */
@Entity
@Table(name = "billing_details")
public class BillingDetails extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public UUID tenantId;
    @Column(name = "legal_name")
    public String legalName;
    /** The street lines, joined by a newline. */
    public String address;
    @Column(name = "postal_code")
    public String postalCode;
    public String city;
    public String country;
    @Column(name = "vat_id")
    public String vatId;
    public String language;
    @Column(name = "updated_by")
    public String updatedBy;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public List<String> addressLines() {
        return address == null || address.isEmpty() ? List.of() : List.of(address.split("\n"));
    }
}
