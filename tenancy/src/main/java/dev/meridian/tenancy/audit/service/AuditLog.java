package dev.meridian.tenancy.audit.service;

import dev.meridian.common.error.ApiException;
import dev.meridian.tenancy.AuditEvent;
import dev.meridian.tenancy.Role;
import dev.meridian.tenancy.StoredTime;
import dev.meridian.tenancy.access.Access;
import dev.meridian.tenancy.access.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes the audit trail in the same transaction as the change, and reads it newest first. */
@ApplicationScoped
public class AuditLog {

    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 200;

    /** One page of events, newest first; {@code nextBefore} is the cursor of the next (older) page, if any. */
    public record Page(List<AuditEvent> events, boolean hasMore, String nextBefore) {
    }

    /** Where a page starts: just before an event of the tenant (by id), or before a time. */
    public sealed interface Cursor {
        record BeforeEvent(UUID eventId) implements Cursor {
        }

        record BeforeTime(Instant time) implements Cursor {
        }

        record Newest() implements Cursor {
        }

        /** {@code before} as given in the query: absent, an event id, or an ISO-8601 time. */
        static Cursor parse(String before) {
            if (before == null || before.isBlank()) {
                return new Newest();
            }
            try {
                return new BeforeEvent(UUID.fromString(before.strip()));
            } catch (IllegalArgumentException notAnId) {
                try {
                    return new BeforeTime(Instant.parse(before.strip()));
                } catch (DateTimeParseException notATime) {
                    throw ApiException.invalidField("before", "must be the id of an audit event (the next_before"
                            + " of the previous page) or an ISO-8601 time such as 2030-01-31T12:00:00Z; got '"
                            + before + "'");
                }
            }
        }
    }

    @Inject
    Access access;

    /**
     * A removed member's pseudonym in the tenant's records: their membership id, which nothing outside this tenant's
     * audit trail links to the person once the membership is gone, so the trail still shows that one person did
     * these things without saying who.
     */
    public static String pseudonym(UUID memberId) {
        return "former-member:" + memberId;
    }

    /**
     * Replaces a person's identifiers in {@code tenantId}'s audit trail with {@code pseudonym}: as the actor (their
     * Keycloak subject and e-mail address), and wherever a detail's value is their subject or address. Runs as the
     * tenant, in the caller's transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void pseudonymise(UUID tenantId, String userId, String email, String pseudonym) {
        String address = email == null ? null : email.toLowerCase(java.util.Locale.ROOT);
        @SuppressWarnings("unchecked")
        List<AuditEvent> touched = AuditEvent.getEntityManager().createNativeQuery("select * from audit_events"
                        + " where tenant_id = ?1 and (actor_id = ?2 or lower(actor_email) = ?3"
                        + " or details::text like ?4 or lower(details::text) like ?5)", AuditEvent.class)
                .setParameter(1, tenantId).setParameter(2, userId == null ? "" : userId)
                .setParameter(3, address == null ? "" : address)
                .setParameter(4, userId == null ? "" : "%" + userId + "%")
                .setParameter(5, address == null ? "" : "%" + address + "%").getResultList();
        for (AuditEvent e : touched) {
            if (userId != null && userId.equals(e.actorId) || address != null && e.actorEmail != null
                    && address.equals(e.actorEmail.toLowerCase(java.util.Locale.ROOT))) {
                e.actorId = pseudonym;
                e.actorEmail = null;
            }
            if (e.details != null) {
                var details = new java.util.LinkedHashMap<String, Object>();
                e.details.forEach((k, v) -> details.put(k, v instanceof String text && (text.equals(userId)
                        || address != null && text.equalsIgnoreCase(address)) ? pseudonym : v));
                if (!details.equals(e.details)) {
                    // only a changed map is assigned: the row is rewritten only when it held the person's data
                    e.details = details;
                }
            }
        }
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(Caller actor, UUID tenantId, String action, String targetType, Object targetId,
            Map<String, Object> details) {
        var e = new AuditEvent();
        e.id = UUID.randomUUID();
        e.tenantId = tenantId;
        e.actorId = actor.userId();
        e.actorEmail = actor.email();
        e.action = action;
        e.targetType = targetType;
        e.targetId = String.valueOf(targetId);
        UUID partner = actingPartner();
        if (partner != null) {
            // "partner P for tenant T": the actor is the partner's credential or one of its people, acting for it
            var withPartner = new java.util.LinkedHashMap<>(details);
            withPartner.put("partner_id", partner.toString());
            details = withPartner;
            e.partnerId = partner;
        }
        e.details = details;
        e.occurredAt = StoredTime.now();
        e.persist();
    }

    /**
     * The partner this transaction acts for: {@link Access} binds it when a partner's credential or one of its people
     * reaches a tenant (never for a tenant's own member), so every action taken through a partner is recorded as its.
     */
    private static UUID actingPartner() {
        Object bound = AuditEvent.getEntityManager()
                .createNativeQuery("select current_setting('app.partner_id', true)").getSingleResult();
        return bound == null || bound.toString().isEmpty() ? null : UUID.fromString(bound.toString());
    }

    /**
     * A page of the tenant's events, newest first (owners and admins); only events whose action is {@code action} (or
     * starts with it, when it ends with a dot: {@code api_key.}) and whose actor has the e-mail {@code actor}, where
     * given.
     */
    @Transactional
    public Page page(Caller caller, UUID tenantId, String limit, String before, String action, String actor) {
        access.memberWithRole(caller, tenantId, Role.OWNER, Role.ADMIN);
        int size = pageSize(limit);
        StringBuilder where = new StringBuilder("tenantId = :tenant");
        Map<String, Object> params = new HashMap<>(Map.of("tenant", tenantId));
        if (action != null && !action.isBlank()) {
            String a = action.strip();
            if (!a.matches("[a-z_]+(\\.[a-z_]*)?")) {
                throw ApiException.invalidField("action", "an action such as api_key.created, or a family such as "
                        + "api_key. (with the dot); got '" + action + "'");
            }
            where.append(a.endsWith(".") ? " and action like :action" : " and action = :action");
            params.put("action", a.endsWith(".") ? a + "%" : a);
        }
        if (actor != null && !actor.isBlank()) {
            where.append(" and lower(actorEmail) = :actor");
            params.put("actor", actor.strip().toLowerCase(java.util.Locale.ROOT));
        }
        return newestFirst("tenantId", tenantId, "in this tenant", where, params, size, before);
    }

    /**
     * A page of what was done for a partner across the tenants it reached, newest first. The caller's seat at the
     * partner is checked by the caller of this method, which has bound the partner (or operator) to the transaction.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Page partnerPage(UUID partnerId, String limit, String before) {
        return newestFirst("partnerId", partnerId, "of this partner", new StringBuilder("partnerId = :scope"),
                new HashMap<>(Map.of("scope", partnerId)), pageSize(limit), before);
    }

    /**
     * The events {@code where} admits, newest first, from the cursor {@code before} on: a page of {@code size} and
     * whether there is more. {@code scope} is the field ({@code tenantId}, {@code partnerId}) whose value {@code id}
     * the page is of; an event cursor must be one of its events ({@code whose} says so in the refusal).
     */
    private static Page newestFirst(String scope, UUID id, String whose, StringBuilder where,
            Map<String, Object> params, int size, String before) {
        switch (Cursor.parse(before)) {
            case Cursor.Newest n -> {
            }
            case Cursor.BeforeTime t -> {
                where.append(" and occurredAt < :time");
                params.put("time", t.time());
            }
            case Cursor.BeforeEvent e -> {
                AuditEvent from = AuditEvent.<AuditEvent>find(scope + " = ?1 and id = ?2", id, e.eventId())
                        .firstResultOptional()
                        .orElseThrow(() -> ApiException.invalidField("before", "no audit event " + e.eventId()
                                + " " + whose + "; use the next_before of the previous page"));
                // ties on the time are broken by id, so a page boundary never skips or repeats an event
                where.append(" and (occurredAt < :time or (occurredAt = :time and id < :id))");
                params.put("time", from.occurredAt);
                params.put("id", from.id);
            }
        }
        List<AuditEvent> events = AuditEvent.<AuditEvent>find(where + " order by occurredAt desc, id desc", params)
                .page(0, size + 1).list();
        boolean more = events.size() > size;
        List<AuditEvent> page = more ? events.subList(0, size) : events;
        return new Page(page, more, more ? page.getLast().id.toString() : null);
    }

    /** {@code limit} as given in the query: 1 to {@value #MAX_PAGE}, {@value #DEFAULT_PAGE} when absent. */
    static int pageSize(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_PAGE;
        }
        try {
            int size = Integer.parseInt(limit.strip());
            if (size >= 1 && size <= MAX_PAGE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // fall through to the same answer as for a number out of range
        }
        throw ApiException.invalidField("limit", "must be a whole number from 1 to " + MAX_PAGE + "; got '" + limit
                + "'");
    }
}
