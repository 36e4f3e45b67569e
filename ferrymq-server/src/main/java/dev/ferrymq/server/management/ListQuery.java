package dev.ferrymq.server.management;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The query parameters RabbitMQ's management API applies to what a GET answers (its {@code rabbit_mgmt_util}
 * {@code reply_list}, {@code pagination_params}, {@code filter_and_paginate} and {@code columns}), applied in one
 * place by {@link HttpHandler}:
 * <ul>
 *   <li>{@code sort} (a dotted field path) and {@code sort_reverse=true} order every list, by that field, then vhost,
 *       then name;</li>
 *   <li>{@code columns} keeps only the listed fields (dotted paths) of every answer, list or object;</li>
 *   <li>on the lists RabbitMQ pages (queues, exchanges, connections, channels, vhosts), {@code page} (from 1) with
 *       {@code page_size} (default 100, at most 500) answers one page in RabbitMQ's paged shape, keeping only items
 *       whose name contains {@code name} (ignoring case), or matches it as a regular expression with
 *       {@code use_regex=true}. As in RabbitMQ, {@code name} filters only a paged request.</li>
 * </ul>
 * Invalid values are answered 400 with RabbitMQ's error and reason texts. Immutable.
 */
final class ListQuery {
    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 500;
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    private final BigInteger page; // null: not paged
    private final int pageSize;
    private final String name;
    private final boolean useRegex;
    private final SortKeys sortKeys;
    private final boolean sortReverse;
    private final Columns columns; // null: all

    private ListQuery(BigInteger page, int pageSize, String name, boolean useRegex, String sort, boolean sortReverse,
                      Columns columns) {
        this.page = page;
        this.pageSize = pageSize;
        this.name = name;
        this.useRegex = useRegex;
        this.sortKeys = new SortKeys(sort);
        this.sortReverse = sortReverse;
        this.columns = columns;
    }

    /** The query of a GET; {@code pageable}: the route is one RabbitMQ pages (only then are page params read). */
    static ListQuery of(ApiRequest request, boolean pageable) {
        BigInteger page = null;
        int pageSize = DEFAULT_PAGE_SIZE;
        if (pageable) {
            BigInteger pageParam = integer(request.query("page"));
            BigInteger sizeParam = integer(request.query("page_size"));
            if (pageParam != null) {
                boolean sizeOk = sizeParam == null || (sizeParam.signum() > 0
                        && sizeParam.compareTo(BigInteger.valueOf(MAX_PAGE_SIZE)) <= 0);
                if (pageParam.signum() <= 0 || !sizeOk) {
                    throw new ApiException(400, "invalid_pagination_parameters",
                            "Invalid pagination parameters: page number " + pageParam + ", page size "
                                    + (sizeParam == null ? "undefined" : sizeParam));
                }
                page = pageParam;
                pageSize = sizeParam == null ? DEFAULT_PAGE_SIZE : sizeParam.intValue();
            }
        }
        return new ListQuery(page, pageSize, request.query("name"), "true".equals(request.query("use_regex")),
                request.query("sort"), "true".equals(request.query("sort_reverse")),
                Columns.parse(request.query("columns")));
    }

    /** A page parameter as RabbitMQ's list_to_integer reads it: digits with an optional minus; else a 400. */
    private static BigInteger integer(String value) {
        if (value == null) {
            return null;
        }
        if (!INTEGER.matcher(value).matches()) {
            throw ApiException.badRequest("Pagination parameters are invalid");
        }
        return new BigInteger(value);
    }

    /** What to answer for a handler's result: lists sorted, filtered and paged; columns applied. */
    Object apply(Object result) {
        if (result instanceof LazyList<?> lazy) {
            return lazily(lazy);
        }
        if (result instanceof List<?> list) {
            return answer(list, item -> item, items -> new ArrayList<>(items));
        }
        return result instanceof Map<?, ?> ? withColumns(result) : result;
    }

    /** Sorts, filters and pages on the cheap fields and renders only what is answered, when the sort allows. */
    private <T> Object lazily(LazyList<T> lazy) {
        if (!sortKeys.within(lazy.basicFields())) {
            return answer(lazy.renderAll(lazy.sources()), item -> item, items -> new ArrayList<>(items));
        }
        return answer(lazy.sources(), lazy.basic(), lazy::renderAll);
    }

    /**
     * The answer for items whose sort and filter fields {@code view} gives (as JSON objects) and that
     * {@code render} turns into the JSON answered.
     */
    private <T> Object answer(List<T> items, Function<T, ?> view, Function<List<T>, List<Object>> render) {
        List<T> sorted = sortKeys.sort(items, view, sortReverse);
        if (page == null) {
            return withColumns(render.apply(sorted));
        }
        List<T> filtered = filter(sorted, view);
        int size = filtered.size();
        // RabbitMQ's sublist fails when the page starts past the element after the last: (page - 1) * size > len
        BigInteger offset = page.subtract(BigInteger.ONE).multiply(BigInteger.valueOf(pageSize));
        if (offset.compareTo(BigInteger.valueOf(size)) > 0) {
            throw new ApiException(400, "page_out_of_range", "Page out of range, page: " + page + " page size: "
                    + pageSize + ", len: " + size);
        }
        int from = offset.intValue();
        List<Object> shown = render.apply(filtered.subList(from, Math.min(size, from + pageSize)));
        return Json.obj("filtered_count", size, "item_count", shown.size(), "items", withColumns(shown),
                "page", page, "page_count", (size + pageSize - 1) / pageSize, "page_size", pageSize,
                "total_count", sorted.size());
    }

    private Object withColumns(Object value) {
        return columns == null ? value : columns.extract(value);
    }

    private <T> List<T> filter(List<T> items, Function<T, ?> view) {
        if (name == null || name.isEmpty() || items.isEmpty()) {
            return items;
        }
        Predicate<String> matches;
        if (useRegex) {
            try {
                Pattern pattern = Pattern.compile(name, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                matches = s -> pattern.matcher(s).find();
            } catch (PatternSyntaxException e) {
                throw ApiException.badRequest("Pagination parameters are invalid"); // RabbitMQ's re:run badarg
            }
        } else {
            String lower = name.toLowerCase(Locale.ROOT);
            matches = s -> s.toLowerCase(Locale.ROOT).contains(lower);
        }
        List<T> out = new ArrayList<>();
        for (T item : items) {
            Object itemName = view.apply(item) instanceof Map<?, ?> map ? map.get("name") : null;
            if (itemName != null && matches.test(itemName.toString())) {
                out.add(item);
            }
        }
        return out;
    }
}
