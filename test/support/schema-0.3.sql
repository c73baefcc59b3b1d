-- table collection_failures
CREATE TABLE collection_failures (collection_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, last_attempt_at TEXT NOT NULL);

-- table collection_leases
CREATE TABLE collection_leases (collection_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL);

-- table collection_parts
CREATE TABLE collection_parts (collection_id INTEGER NOT NULL, tmdb_id INTEGER NOT NULL);

-- index collection_parts_collection_id
CREATE INDEX collection_parts_collection_id ON collection_parts (collection_id);

-- index collection_parts_tmdb_id
CREATE INDEX collection_parts_tmdb_id ON collection_parts (tmdb_id);

-- table collection_payloads
CREATE TABLE collection_payloads (collection_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, body BLOB NOT NULL, encoding TEXT NOT NULL, append TEXT NOT NULL);

-- table collection_runs
CREATE TABLE collection_runs ( id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL, options TEXT NOT NULL, summary TEXT , heartbeat_at TEXT, collector TEXT, generation INTEGER);

-- table collections
CREATE TABLE collections ( collection_id INTEGER PRIMARY KEY, name TEXT, overview TEXT, poster_path TEXT, backdrop_path TEXT, details_fetched_at TEXT, removed_at TEXT, exported_on TEXT, changed_at TEXT );

-- index collections_details_fetched_at
CREATE INDEX collections_details_fetched_at ON collections (details_fetched_at);

-- table companies
CREATE TABLE companies ( company_id INTEGER PRIMARY KEY, name TEXT, description TEXT, headquarters TEXT, homepage TEXT, origin_country TEXT, parent_company_id INTEGER, parent_company_name TEXT, logo_path TEXT, details_fetched_at TEXT, removed_at TEXT, exported_on TEXT, changed_at TEXT );

-- index companies_details_fetched_at
CREATE INDEX companies_details_fetched_at ON companies (details_fetched_at);

-- index companies_parent_company_id
CREATE INDEX companies_parent_company_id ON companies (parent_company_id);

-- table company_failures
CREATE TABLE company_failures (company_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, last_attempt_at TEXT NOT NULL);

-- table company_leases
CREATE TABLE company_leases (company_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL);

-- table company_payloads
CREATE TABLE company_payloads (company_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, body BLOB NOT NULL, encoding TEXT NOT NULL, append TEXT NOT NULL);

-- table detail_leases
CREATE TABLE detail_leases (tmdb_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL);

-- table effect_sql_migrations
CREATE TABLE "effect_sql_migrations" ( migration_id integer PRIMARY KEY NOT NULL, created_at datetime NOT NULL DEFAULT current_timestamp, name VARCHAR(255) NOT NULL );

-- table fetch_failures
CREATE TABLE fetch_failures ( tmdb_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, last_attempt_at TEXT NOT NULL );

-- table movie_cast
CREATE TABLE movie_cast ( tmdb_id INTEGER NOT NULL, person_id INTEGER NOT NULL, name TEXT NOT NULL, character TEXT, ord INTEGER NOT NULL, credit_id TEXT, gender INTEGER, cast_id INTEGER);

-- index movie_cast_person_id
CREATE INDEX movie_cast_person_id ON movie_cast (person_id);

-- index movie_cast_tmdb_id
CREATE INDEX movie_cast_tmdb_id ON movie_cast (tmdb_id);

-- table movie_companies
CREATE TABLE movie_companies ( tmdb_id INTEGER NOT NULL, company_id INTEGER NOT NULL, name TEXT NOT NULL, origin_country TEXT, ord INTEGER NOT NULL);

-- index movie_companies_company_id
CREATE INDEX movie_companies_company_id ON movie_companies (company_id);

-- index movie_companies_tmdb_id
CREATE INDEX movie_companies_tmdb_id ON movie_companies (tmdb_id);

-- table movie_countries
CREATE TABLE movie_countries (tmdb_id INTEGER NOT NULL, iso_3166_1 TEXT NOT NULL, name TEXT, ord INTEGER NOT NULL);

-- index movie_countries_tmdb_id
CREATE INDEX movie_countries_tmdb_id ON movie_countries (tmdb_id);

-- table movie_crew
CREATE TABLE movie_crew ( tmdb_id INTEGER NOT NULL, person_id INTEGER NOT NULL, name TEXT NOT NULL, department TEXT NOT NULL, job TEXT NOT NULL, credit_id TEXT, gender INTEGER, ord INTEGER NOT NULL);

-- index movie_crew_person_id
CREATE INDEX movie_crew_person_id ON movie_crew (person_id);

-- index movie_crew_tmdb_id
CREATE INDEX movie_crew_tmdb_id ON movie_crew (tmdb_id);

-- table movie_genres
CREATE TABLE movie_genres (tmdb_id INTEGER NOT NULL, genre_id INTEGER NOT NULL, name TEXT NOT NULL, ord INTEGER NOT NULL);

-- index movie_genres_tmdb_id
CREATE INDEX movie_genres_tmdb_id ON movie_genres (tmdb_id);

-- table movie_keywords
CREATE TABLE movie_keywords (tmdb_id INTEGER NOT NULL, keyword_id INTEGER NOT NULL, name TEXT NOT NULL, ord INTEGER NOT NULL);

-- index movie_keywords_tmdb_id
CREATE INDEX movie_keywords_tmdb_id ON movie_keywords (tmdb_id);

-- table movie_languages
CREATE TABLE movie_languages ( tmdb_id INTEGER NOT NULL, iso_639_1 TEXT NOT NULL, name TEXT, english_name TEXT, ord INTEGER NOT NULL);

-- index movie_languages_tmdb_id
CREATE INDEX movie_languages_tmdb_id ON movie_languages (tmdb_id);

-- table movie_metrics_history
CREATE TABLE movie_metrics_history (tmdb_id INTEGER NOT NULL, observed_at TEXT NOT NULL, popularity REAL, vote_count INTEGER, vote_average REAL, source TEXT NOT NULL);

-- index movie_metrics_history_tmdb_id_observed_at
CREATE INDEX movie_metrics_history_tmdb_id_observed_at ON movie_metrics_history (tmdb_id, observed_at);

-- view movie_overview
CREATE VIEW movie_overview AS SELECT m.tmdb_id, CAST(substr(m.release_date, 1, 4) AS INTEGER) AS year, m.title, (SELECT group_concat(name, ', ') FROM ( SELECT name FROM movie_crew c WHERE c.tmdb_id = m.tmdb_id AND c.job = 'Director' GROUP BY person_id ORDER BY min(ord))) AS directors, (SELECT group_concat(name, ', ') FROM ( SELECT name FROM movie_cast c WHERE c.tmdb_id = m.tmdb_id ORDER BY ord LIMIT 3)) AS top_cast, (SELECT group_concat(name, ', ') FROM ( SELECT name FROM movie_genres g WHERE g.tmdb_id = m.tmdb_id ORDER BY ord)) AS genres, m.budget, m.revenue, CASE WHEN m.budget > 0 THEN CAST(m.revenue AS REAL) / m.budget END AS revenue_to_budget, coalesce((SELECT c.name FROM collections c WHERE c.collection_id = m.collection_id), m.collection_name) AS collection FROM movies m WHERE m.removed_at IS NULL;

-- table movie_payloads
CREATE TABLE movie_payloads ( tmdb_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, body BLOB NOT NULL, encoding TEXT NOT NULL, append TEXT NOT NULL);

-- table movie_release_dates
CREATE TABLE movie_release_dates ( tmdb_id INTEGER NOT NULL, country TEXT NOT NULL, type INTEGER NOT NULL, release_date TEXT NOT NULL, certification TEXT, note TEXT, language TEXT);

-- index movie_release_dates_tmdb_id
CREATE INDEX movie_release_dates_tmdb_id ON movie_release_dates (tmdb_id);

-- table movies
CREATE TABLE movies ( tmdb_id INTEGER PRIMARY KEY, imdb_id TEXT, title TEXT NOT NULL, original_title TEXT, release_date TEXT, runtime INTEGER, budget INTEGER, revenue INTEGER, genres TEXT, production_companies TEXT, overview TEXT, vote_average REAL, vote_count INTEGER, popularity REAL, discovered_at TEXT, details_fetched_at TEXT , original_language TEXT, status TEXT, tagline TEXT, homepage TEXT, adult INTEGER, video INTEGER, poster_path TEXT, backdrop_path TEXT, collection_id INTEGER, collection_name TEXT, production_countries TEXT, spoken_languages TEXT, wikidata_id TEXT, votes_at TEXT, removed_at TEXT, exported_on TEXT, changed_at TEXT);

-- index movies_details_fetched_at
CREATE INDEX movies_details_fetched_at ON movies (details_fetched_at);

-- index movies_release_date
CREATE INDEX movies_release_date ON movies (release_date);

-- table people
CREATE TABLE people ( person_id INTEGER PRIMARY KEY, name TEXT, also_known_as TEXT, gender INTEGER, birthday TEXT, deathday TEXT, place_of_birth TEXT, known_for_department TEXT, biography TEXT, popularity REAL, adult INTEGER, imdb_id TEXT, homepage TEXT, profile_path TEXT, details_fetched_at TEXT, removed_at TEXT, exported_on TEXT, changed_at TEXT );

-- index people_details_fetched_at
CREATE INDEX people_details_fetched_at ON people (details_fetched_at);

-- table person_failures
CREATE TABLE person_failures (person_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, last_attempt_at TEXT NOT NULL);

-- table person_leases
CREATE TABLE person_leases (person_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL);

-- table person_payloads
CREATE TABLE person_payloads (person_id INTEGER PRIMARY KEY, fetched_at TEXT NOT NULL, body BLOB NOT NULL, encoding TEXT NOT NULL, append TEXT NOT NULL);

-- table sync_marks
CREATE TABLE sync_marks (name TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL);

-- table work_claims
CREATE TABLE work_claims ( unit TEXT PRIMARY KEY, run_id INTEGER NOT NULL, expires_at TEXT NOT NULL, done_at TEXT);
