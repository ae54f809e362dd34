"""The knowledge-category taxonomy: 26 topics, each with a description and two exemplars.

Llama 3 (section 3.1.2, "Determining the data mix") develops "a classifier to categorize the
types of information contained in our web data" and downsamples "data categories that are
over-represented on the web (e.g., arts and entertainment)". The paper does not publish its
categories; this taxonomy follows the top level of common web-content taxonomies (IAB
content categories, DMOZ) merged with the academic areas that matter for a pretraining mix
(MMLU's subjects fall into them; ``benchmarks/bench_classifiers.py`` prints the mapping).

How it is used: the MiniLM teacher (``classifiers/teacher.py``) embeds every category's
description and exemplars and labels a sample of documents with the closest category; a
fastText student (``classifiers/fasttext_model.py``) trained on those labels tags every
document with ``category`` (one of the ids below) and ``category_score`` (its probability).
The ids are stable: the mix downsamples by them (``category_filter.keep``).

Ids (descriptions and exemplars in ``CATEGORIES``):

- ``arts_and_entertainment``: film, …
- ``literature_and_language``: books, …
- ``business_and_industry``: companies, …
- ``finance_and_economics``: economics, …
- ``law_and_government``: law, …
- ``politics_and_international_affairs``: elections, …
- ``history``: historical events, …
- ``philosophy_and_religion``: philosophy, …
- ``education``: schools, …
- ``health_and_medicine``: medicine, …
- ``biology``: biology, …
- ``chemistry``: chemistry, …
- ``physics_and_astronomy``: physics, …
- ``earth_and_environment``: geology, …
- ``mathematics``: mathematics, …
- ``computer_science_and_software``: programming, …
- ``engineering_and_technology``: engineering, …
- ``psychology_and_society``: psychology, …
- ``people_and_relationships``: family, …
- ``sports_and_recreation``: sports, …
- ``travel_and_places``: travel, …
- ``food_and_drink``: cooking, …
- ``home_and_garden``: home improvement, …
- ``fashion_and_beauty``: clothing, …
- ``automotive_and_transport``: cars, …
- ``shopping_and_products``: product listings, …
"""

from __future__ import annotations

#: id -> (description, exemplars). Descriptions list what the category covers; exemplars are
#: short texts written for this project, in the register of web pages of that topic.
CATEGORIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "arts_and_entertainment": (
        "Film, television, music, celebrities, video games, comics, theatre, art exhibitions and entertainment news.",
        ("The band announced a world tour after their new album topped the charts.",
         "Season three of the series premieres next month with two new cast members.")),
    "literature_and_language": (
        "Books, novels, poetry, authors, literary criticism, linguistics, grammar and learning languages.",
        ("The novel follows a young narrator through the streets of nineteenth-century London.",
         "In French, the subjunctive is used after expressions of doubt and desire.")),
    "business_and_industry": (
        "Companies, management, marketing, entrepreneurship, careers, jobs, manufacturing and corporate news.",
        ("The startup raised a second round of funding to expand its sales team.",
         "Good managers give clear goals and regular feedback to their employees.")),
    "finance_and_economics": (
        "Economics, markets, investing, banking, personal finance, accounting, taxes, inflation and trade.",
        ("Central banks raise interest rates to slow inflation and cool demand.",
         "An index fund spreads your savings across hundreds of stocks at a low fee.")),
    "law_and_government": (
        "Law, courts, legal rights, contracts, regulation, public administration and government services.",
        ("The court ruled that the contract was void because one party lacked capacity.",
         "Applicants must submit the permit form to the county office within thirty days.")),
    "politics_and_international_affairs": (
        "Elections, political parties, policy debates, diplomacy, international relations, war and security.",
        ("The senator's proposal split her party ahead of the election.",
         "Foreign ministers met to negotiate a ceasefire along the disputed border.")),
    "history": (
        "Historical events, periods, civilizations, archaeology, biographies of historical figures and wars of the past.",
        ("The Roman Empire reached its greatest extent under Trajan in 117 AD.",
         "Excavations uncovered Bronze Age tools beneath the medieval village.")),
    "philosophy_and_religion": (
        "Philosophy, ethics, logic, religion, theology, spirituality and moral questions.",
        ("Kant argued that moral duties follow from reason rather than consequences.",
         "The scripture describes the pilgrimage as a duty for every believer who is able.")),
    "education": (
        "Schools, universities, teaching, studying, exams, courses and education policy.",
        ("Teachers used group projects to help students practice problem solving.",
         "Applications for the scholarship close before the start of the autumn semester.")),
    "health_and_medicine": (
        "Medicine, diseases, symptoms, treatments, drugs, nutrition, fitness, mental health and health care.",
        ("Common symptoms of the flu include fever, cough and muscle aches.",
         "The drug lowers blood pressure by relaxing the walls of blood vessels.")),
    "biology": (
        "Biology, genetics, cells, evolution, ecology, animals, plants and microorganisms.",
        ("DNA is copied before cell division so that each daughter cell receives a full genome.",
         "The species evolved long beaks to feed on nectar from deep flowers.")),
    "chemistry": (
        "Chemistry, elements, molecules, reactions, chemical bonds, materials and laboratory methods.",
        ("Sodium reacts with chlorine to form an ionic compound, table salt.",
         "The reaction rate doubles for every ten degree rise in temperature.")),
    "physics_and_astronomy": (
        "Physics, mechanics, energy, electricity, quantum theory, relativity, astronomy, planets, stars and space.",
        ("A ball thrown upward slows down because gravity accelerates it toward the ground.",
         "The telescope observed light from a galaxy thirteen billion light years away.")),
    "earth_and_environment": (
        "Geology, geography, weather, climate change, oceans, natural disasters, ecology and environmental protection.",
        ("Rising sea temperatures are bleaching coral reefs around the world.",
         "The earthquake was caused by a sudden slip along the fault line.")),
    "mathematics": (
        "Mathematics, arithmetic, algebra, geometry, calculus, probability, statistics, proofs and math problems.",
        ("Solve for x: 3x + 5 = 20, so x = 5.",
         "The derivative of sin(x) is cos(x), and the integral of 1/x is ln|x| + C.")),
    "computer_science_and_software": (
        "Programming, software development, algorithms, data structures, databases, machine learning and computer security.",
        ("The function returns a sorted copy of the list using merge sort in O(n log n) time.",
         "Install the package with pip and import it at the top of your Python script.")),
    "engineering_and_technology": (
        "Engineering, electronics, hardware, gadgets, smartphones, energy systems, construction and telecommunications.",
        ("The circuit uses a resistor to limit the current through the LED.",
         "The new phone has a faster processor and a larger battery than last year's model.")),
    "psychology_and_society": (
        "Psychology, sociology, anthropology, human behaviour, social issues, demographics and communities.",
        ("People tend to remember the first and last items of a list better than the middle ones.",
         "The survey found that young adults are more likely to live in cities than their parents.")),
    "people_and_relationships": (
        "Family, parenting, dating, marriage, friendship, personal stories and everyday life advice.",
        ("Our toddler finally sleeps through the night after we changed the bedtime routine.",
         "Planning a wedding on a budget means choosing the guest list first.")),
    "sports_and_recreation": (
        "Sports, teams, matches, athletes, fitness training, outdoor activities, hobbies and games.",
        ("The striker scored twice in the second half to win the cup final.",
         "The trail climbs steeply for two miles before reaching the lake.")),
    "travel_and_places": (
        "Travel, tourism, destinations, hotels, flights, cities, countries and local guides.",
        ("The old town is best explored on foot, starting from the cathedral square.",
         "Book the ferry early in summer, when the island is crowded with visitors.")),
    "food_and_drink": (
        "Cooking, recipes, ingredients, restaurants, wine, beer, coffee and diets.",
        ("Simmer the onions in butter until golden, then add the garlic and tomatoes.",
         "The restaurant's tasting menu pairs each course with a local wine.")),
    "home_and_garden": (
        "Home improvement, DIY, interior design, real estate, gardening, pets and household tips.",
        ("Plant tomatoes in full sun and water them deeply twice a week.",
         "Sand the old paint before applying a primer to the kitchen cabinets.")),
    "fashion_and_beauty": (
        "Clothing, fashion trends, style, shoes, accessories, cosmetics, skincare and hair.",
        ("This season's coats come in oversized cuts and earthy colours.",
         "Apply sunscreen every morning, even when the sky is cloudy.")),
    "automotive_and_transport": (
        "Cars, motorcycles, driving, vehicle reviews, public transport, aviation, shipping and logistics.",
        ("The hybrid sedan gets fifty miles per gallon in city driving.",
         "The new bus line connects the airport with the central railway station.")),
    "shopping_and_products": (
        "Product listings, online shops, prices, deals, coupons, product reviews and buying guides.",
        ("Add to cart: wireless earbuds, free shipping on orders over 25 dollars.",
         "We compared ten vacuum cleaners to find the best value for small apartments.")),
}

#: The category that Llama 3 names as over-represented on the web.
OVER_REPRESENTED = ("arts_and_entertainment",)


def ids() -> list[str]:
    return list(CATEGORIES)


def texts_for_teacher() -> tuple[list[str], list[str]]:
    """(category id, text) pairs for the teacher: each category's description and its exemplars."""
    cats, texts = [], []
    for cat, (description, exemplars) in CATEGORIES.items():
        for t in (description, *exemplars):
            cats.append(cat)
            texts.append(t)
    return cats, texts

