"""Vocabulary of generated worlds: people's names, departments, titles, sites.

All text stays within Latin-1 on purpose: the canonical JSON is built as one
Python str, and a single character beyond U+00FF would double its size in memory.
Account names (sAMAccountName, e-mail) use the ASCII folding of these names.
"""

from __future__ import annotations

import unicodedata

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
    "Andrew", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Dorothy", "George", "Melissa", "Timothy", "Deborah", "Ronald", "Stephanie", "Edward",
    "Rebecca", "Jason", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia", "Jacob", "Kathleen",
    "Gary", "Amy", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Anna", "Stephen",
    "Brenda", "Larry", "Pamela", "Justin", "Emma", "Scott", "Nicole", "Brandon", "Helen",
    "Benjamin", "Samantha", "Samuel", "Katherine", "Gregory", "Christine", "Alexander", "Debra",
    "Frank", "Rachel", "Patrick", "Carolyn", "Raymond", "Janet", "Jack", "Catherine", "Dennis",
    "Maria", "Jerry", "Heather", "Tyler", "Diane", "Aaron", "Ruth", "Jose", "Julie", "Adam",
    "Olivia", "Nathan", "Joyce", "Henry", "Virginia", "Douglas", "Victoria", "Zachary", "Kelly",
    "Peter", "Lauren", "Kyle", "Christina", "Noah", "Joan", "Ethan", "Evelyn", "Jeremy", "Judith",
    "Walter", "Megan", "Christian", "Andrea", "Keith", "Cheryl", "Roger", "Hannah", "Terry",
    "Jacqueline", "Austin", "Martha", "Sean", "Gloria", "Gerald", "Teresa", "Carl", "Ann",
    "Harold", "Sara", "Dylan", "Madison", "Arthur", "Frances", "Lawrence", "Kathryn", "Jordan",
    "Janice", "Jesse", "Jean", "Bryan", "Abigail", "Billy", "Alice", "Bruce", "Judy", "Gabriel",
    "Sophia", "Joe", "Grace", "Logan", "Denise", "Alan", "Amber", "Juan", "Doris", "Albert",
    "Marilyn", "Willie", "Danielle", "Elijah", "Beverly", "Wayne", "Isabella", "Randy", "Theresa",
    "Vincent", "Diana", "Mason", "Natalie", "Roy", "Brittany", "Ralph", "Charlotte", "Bobby",
    "Marie", "Russell", "Kayla", "Bradley", "Alexis", "José", "Zoë", "Björn", "Renée", "Sören",
    "Inés", "Håkon", "Chloé", "Jürgen", "Céline", "François", "Agnès", "Mónica", "Iñigo",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz",
    "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy",
    "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed",
    "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
    "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
    "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
    "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
    "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander",
    "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes",
    "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray",
    "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez", "McDonald", "Woods",
    "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman", "Webb", "Tucker",
    "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez",
    "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer",
    "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills",
    "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto",
    "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins",
    "Arnold", "Pierce", "Vazquez", "Hansen", "Peters", "Santos", "Hart", "Bradley", "Knight",
    "Elliott", "Müller", "Núñez", "Søndergaard", "Åberg", "Mäkinen", "Lefèvre", "Gómez", "Schäfer",
    "Østergaard", "Jönsson", "Peña", "Dubois", "Günther", "Ibáñez", "Løvland", "Ståhl", "Bélanger",
    "Rønning", "Köhler", "Muñiz",
)

DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (name, short code for OU/host names, titles)
    ("Finance", "FIN", ("Accountant", "Financial Analyst", "Controller", "Payroll Specialist")),
    ("Human Resources", "HR", ("HR Generalist", "Recruiter", "HR Business Partner")),
    ("Engineering", "ENG", ("Software Engineer", "Senior Software Engineer", "QA Engineer",
                            "Engineering Manager", "DevOps Engineer")),
    ("Sales", "SAL", ("Account Executive", "Sales Representative", "Sales Manager")),
    ("Marketing", "MKT", ("Marketing Specialist", "Content Manager", "Product Marketer")),
    ("Legal", "LEG", ("Counsel", "Paralegal", "Compliance Officer")),
    ("Operations", "OPS", ("Operations Analyst", "Logistics Coordinator", "Plant Manager")),
    ("Information Technology", "IT", ("Systems Administrator", "Help Desk Technician",
                                      "Network Engineer", "Security Analyst")),
    ("Customer Support", "SUP", ("Support Agent", "Support Team Lead")),
    ("Research", "RND", ("Research Scientist", "Lab Technician", "Data Scientist")),
    ("Procurement", "PRC", ("Buyer", "Procurement Manager")),
    ("Facilities", "FAC", ("Facilities Coordinator", "Security Officer")),
)

# Weight of each department when placing a user; aligned with DEPARTMENTS.
DEPARTMENT_WEIGHTS: tuple[int, ...] = (8, 4, 20, 14, 6, 2, 12, 6, 14, 8, 3, 3)

SITES: tuple[str, ...] = (
    "HQ", "NYC", "LON", "FRA", "SIN", "TYO", "SYD", "SFO", "CHI", "AMS", "PAR", "TOR",
)

def site_count(num_hosts: int) -> int:
    """Sites of a world: one below 50 hosts, else 2 + hosts // 1000, at most all of SITES."""
    return 1 if num_hosts < 50 else min(len(SITES), 2 + num_hosts // 1000)


# Words for file shares and applications behind resource groups.
RESOURCE_WORDS: tuple[str, ...] = (
    "Finance", "Payroll", "Contracts", "Designs", "Builds", "Releases", "Reports", "Archive",
    "Marketing", "Legal", "Scans", "Software", "Projects", "Quality", "Research", "Data",
    "Budget", "Vendors", "Training", "Templates", "Media", "Backups", "Audit", "Logistics",
    "CRM", "ERP", "Wiki", "Tickets", "BI", "Git", "Jenkins", "Jira", "SharePoint", "Intranet",
)

PROJECT_WORDS: tuple[str, ...] = (
    "Atlas", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Indigo",
    "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Onyx", "Polaris", "Quartz", "Raven",
    "Sierra", "Tundra", "Umbra", "Vertex", "Willow", "Zephyr",
)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII form for account names: 'Núñez' -> 'nunez', 'Søren' -> 'soren'."""
    folded = unicodedata.normalize("NFKD", text.translate(_NON_DECOMPOSING))
    return folded.encode("ascii", "ignore").decode("ascii").lower()


# Letters NFKD leaves whole; folded by hand.
_NON_DECOMPOSING = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss"})
